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
	"github.com/plateau-lab/plateau/model/llama2c"
)

// Open loads a model from path onto dev: a Hugging Face model folder
// (config.json, model.safetensors in f32, f16 or bf16, tokenizer.json if
// present) or a llama2.c checkpoint file (see package llama2c), converted
// on load. The weights file is memory-mapped: on the CPU the model runs from
// the mapping itself (float32 tensors are not copied, so loading is
// immediate and the weights share the page cache), on other devices it is
// uploaded and unmapped.
func Open(dev kernels.Device, path string) (*Model, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open model: %w", err)
	}
	var (
		cfg     model.Config
		values  [][]float32
		release func() error
		tok     *data.Tokenizer
	)
	if st.IsDir() {
		if cfg, values, release, err = model.OpenFolder(path); err != nil {
			return nil, err
		}
		if tok, err = folderTokenizer(path); err != nil {
			release()
			return nil, err
		}
	} else {
		ck, err := llama2c.Open(path)
		if err != nil {
			return nil, err
		}
		cfg, values, release = ck.Config, ck.Values, ck.Close
	}
	m, err := newModel(dev, cfg, values, tok, release)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return m, nil
}

// ReadModel reads the config, parameters (ParamSpecs order) and tokenizer
// (nil if there is none) of the model at path, a model folder or a llama2.c
// checkpoint, into memory of their own, without putting them on a device:
// what converters need.
func ReadModel(path string) (model.Config, [][]float32, *data.Tokenizer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return model.Config{}, nil, nil, fmt.Errorf("open model: %w", err)
	}
	if st.IsDir() {
		cfg, values, err := model.LoadFolder(path)
		if err != nil {
			return cfg, nil, nil, err
		}
		tok, err := folderTokenizer(path)
		return cfg, values, tok, err
	}
	_, cfg, values, err := llama2c.ReadFile(path)
	return cfg, values, nil, err
}

// folderTokenizer reads dir/tokenizer.json, or returns nil if there is none.
func folderTokenizer(dir string) (*data.Tokenizer, error) {
	tokPath := filepath.Join(dir, model.TokenizerFile)
	if _, err := os.Stat(tokPath); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load %s: %w", tokPath, err)
	}
	return data.LoadTokenizer(tokPath)
}
