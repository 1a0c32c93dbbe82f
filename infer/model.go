// Package infer uses trained models: it loads a Hugging Face model folder or
// a llama2.c checkpoint onto a device, scores text (loss, perplexity, bits
// per byte, with a sliding window over long texts) and generates
// continuations with a KV cache (batched prompts of any lengths, sampling
// filters, stop strings, streamed text).
package infer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
)

// Model is a model folder loaded onto a device. Programs compiled for a
// batch shape are kept and reused.
type Model struct {
	Config    model.Config
	Tokenizer *data.Tokenizer // nil when the folder has no tokenizer.json
	dev       kernels.Device
	w         *kernels.Weights
	progs     map[[2]int]*kernels.Program
}

// readFolder reads a model folder's config, parameters and, if present,
// tokenizer.
func readFolder(dir string) (model.Config, [][]float32, *data.Tokenizer, error) {
	cfg, values, err := model.LoadFolder(dir)
	if err != nil {
		return cfg, nil, nil, err
	}
	tokPath := filepath.Join(dir, model.TokenizerFile)
	if _, err := os.Stat(tokPath); errors.Is(err, fs.ErrNotExist) {
		return cfg, values, nil, nil
	} else if err != nil {
		return cfg, nil, nil, fmt.Errorf("load %s: %w", tokPath, err)
	}
	tok, err := data.LoadTokenizer(tokPath)
	if err != nil {
		return cfg, nil, nil, err
	}
	return cfg, values, tok, nil
}

// New puts a model given by its config and parameters (ParamSpecs order)
// onto dev; tok may be nil.
func New(dev kernels.Device, cfg model.Config, values [][]float32, tok *data.Tokenizer) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Config: cfg, Tokenizer: tok, dev: dev, progs: map[[2]int]*kernels.Program{}}
	var err error
	if m.w, err = kernels.NewWeights(dev, cfg.ParamSpecs(), false); err != nil {
		return nil, err
	}
	if err := m.w.Upload(values); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// Close frees the device memory.
func (m *Model) Close() {
	for _, p := range m.progs {
		p.Free()
	}
	m.w.Free()
}

// program returns the forward program (with logits) for batch x seq.
func (m *Model) program(batch, seq int) (*kernels.Program, error) {
	key := [2]int{batch, seq}
	if p, ok := m.progs[key]; ok {
		return p, nil
	}
	g, err := model.Build(m.Config, batch, seq, false)
	if err != nil {
		return nil, err
	}
	p, err := kernels.Compile(m.dev, g, m.w, kernels.Options{Logits: true})
	if err != nil {
		return nil, err
	}
	m.progs[key] = p
	return p, nil
}

// checkIDs reports the first id outside the vocabulary.
func (m *Model) checkIDs(ids []int32, what string) error {
	for i, id := range ids {
		if id < 0 || int(id) >= m.Config.VocabSize {
			return fmt.Errorf("%s: id %d at position %d is outside the vocabulary [0, %d)", what, id, i, m.Config.VocabSize)
		}
	}
	return nil
}
