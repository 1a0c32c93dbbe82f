package infer

import (
	"fmt"
	"os"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/model/llama2c"
)

// Open loads a model from path onto dev: a Hugging Face model folder
// (config.json, model.safetensors in f32, f16 or bf16, tokenizer.json if
// present) or a llama2.c checkpoint file (see package llama2c), converted
// on load.
func Open(dev kernels.Device, path string) (*Model, error) {
	cfg, values, tok, err := ReadModel(path)
	if err != nil {
		return nil, err
	}
	m, err := New(dev, cfg, values, tok)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return m, nil
}

// ReadModel reads the config, parameters (ParamSpecs order) and tokenizer
// (nil if there is none) of the model at path, a model folder or a llama2.c
// checkpoint, without putting it on a device: what converters need.
// llama2.c's tokenizer.bin (a sentencepiece-style vocabulary with scores)
// is not read.
func ReadModel(path string) (model.Config, [][]float32, *data.Tokenizer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return model.Config{}, nil, nil, fmt.Errorf("open model: %w", err)
	}
	if st.IsDir() {
		return readFolder(path)
	}
	_, cfg, values, err := llama2c.ReadFile(path)
	return cfg, values, nil, err
}
