// Package infer uses trained models: it loads a Hugging Face model folder or
// a llama2.c checkpoint onto a device (memory-mapped, used in place on the
// CPU: open.go), scores text (loss, perplexity, bits
// per byte, with a sliding window over long texts) and generates
// continuations with a KV cache (batched prompts of any lengths, sampling
// filters, stop strings, streamed text).
package infer

import (
	"fmt"

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
	release   func() error // frees the mapped weights w runs from; nil if none
}

// New puts a model given by its config and parameters (ParamSpecs order)
// onto dev; tok may be nil. On the CPU the model computes from values in
// place (kernels.HostMemory), so they must not be changed while it is open.
func New(dev kernels.Device, cfg model.Config, values [][]float32, tok *data.Tokenizer) (*Model, error) {
	return newModel(dev, cfg, values, tok, nil)
}

// newModel is New for values that release, when not nil, frees (a mapped
// file): at Close on a host device, which uses them in place, right after
// the upload on others.
func newModel(dev kernels.Device, cfg model.Config, values [][]float32, tok *data.Tokenizer, release func() error) (*Model, error) {
	fail := func(err error) (*Model, error) {
		if release != nil {
			release()
		}
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return fail(err)
	}
	w, err := kernels.NewInferenceWeights(dev, cfg.ParamSpecs(), values)
	if err != nil {
		return fail(err)
	}
	m := &Model{Config: cfg, Tokenizer: tok, dev: dev, w: w, progs: map[[2]int]*kernels.Program{}}
	if _, inPlace := dev.(kernels.HostMemory); inPlace {
		m.release = release
	} else if release != nil {
		if err := release(); err != nil {
			m.Close()
			return nil, err
		}
	}
	return m, nil
}

// Close frees the device memory, and the mapped weights file the model ran
// from.
func (m *Model) Close() {
	for _, p := range m.progs {
		p.Free()
	}
	m.w.Free()
	if m.release != nil {
		m.release()
		m.release = nil
	}
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

// LoadTokenizer makes the tokenizer file at path the model's tokenizer: a
// tokenizer.json, or a llama2.c tokenizer.bin (data.LoadTokenizerFile),
// which a llama2.c checkpoint needs to take and give text. Its ids must fit
// the model's vocabulary.
func (m *Model) LoadTokenizer(path string) error {
	tok, err := data.LoadTokenizerFile(path)
	if err != nil {
		return err
	}
	if tok.VocabSize() > m.Config.VocabSize {
		return fmt.Errorf("%s has %d tokens, more than the model's vocab_size %d", path, tok.VocabSize(), m.Config.VocabSize)
	}
	m.Tokenizer = tok
	return nil
}

// EncodePrompt returns the ids a text prompt or document is fed as: the
// tokenizer's begin token if it has one (sentencepiece-style, as run.c and
// Hugging Face's Llama tokenizer add it), then the text's ids, with special
// tokens' names parsed as those tokens when special is set
// (data.Tokenizer.EncodeSpecial) and as plain text otherwise. The model
// must have a tokenizer.
func (m *Model) EncodePrompt(text []byte, special bool) []int32 {
	var ids []int32
	if bos, ok := m.Tokenizer.BOS(); ok {
		ids = append(ids, bos)
	}
	if special {
		return append(ids, m.Tokenizer.EncodeSpecial(text)...)
	}
	return append(ids, m.Tokenizer.Encode(text)...)
}
