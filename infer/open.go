package infer

import (
	"fmt"
	"os"

	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model/llama2c"
)

// Open loads a model from path: a Hugging Face model folder (see Load), or
// a llama2.c checkpoint file (see package llama2c), converted on load.
func Open(dev kernels.Device, path string) (*Model, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open model: %w", err)
	}
	if st.IsDir() {
		return Load(dev, path)
	}
	_, cfg, values, err := llama2c.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := New(dev, cfg, values, nil)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return m, nil
}
