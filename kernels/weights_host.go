package kernels

import (
	"fmt"

	"github.com/plateau-lab/plateau/model"
)

// HostMemory is implemented by devices whose buffers are host memory, such
// as the CPU device. Wrap returns a buffer that is data itself, not a copy:
// the device reads (and its kernels may write) data in place until the
// buffer is freed. It lets a model's weights be used straight from a
// memory-mapped file.
type HostMemory interface {
	Wrap(data []float32) (Buf, error)
}

// NewInferenceWeights puts a model's parameters, values in specs order, on
// dev for inference only: no gradient accumulators, no optimizer moments.
// On a HostMemory device the buffers are the values themselves, so the
// values must stay valid, and are not to be written, until Free; on other
// devices they are uploaded.
func NewInferenceWeights(dev Device, specs []model.ParamSpec, values [][]float32) (*Weights, error) {
	if len(values) != len(specs) {
		return nil, fmt.Errorf("parameter: got %d tensors, want %d", len(values), len(specs))
	}
	for i, p := range specs {
		if len(values[i]) != p.Size() {
			return nil, fmt.Errorf("parameter %s: got %d values, want %d (shape %v)", p.Name, len(values[i]), p.Size(), p.Shape)
		}
	}
	host, ok := dev.(HostMemory)
	if !ok {
		w, err := newWeights(dev, specs, false, false)
		if err != nil {
			return nil, err
		}
		if err := w.Upload(values); err != nil {
			w.Free()
			return nil, err
		}
		return w, nil
	}
	w := &Weights{dev: dev, Specs: specs, W: make([]Buf, len(specs)), wrapped: true}
	for i, v := range values {
		b, err := host.Wrap(v)
		if err != nil {
			w.Free()
			return nil, fmt.Errorf("parameter %s: %w", specs[i].Name, err)
		}
		w.W[i] = b
	}
	return w, nil
}
