package kernels

import (
	"fmt"

	"github.com/plateau-lab/plateau/model"
)

// Weights holds a model's parameters on a device with their gradient
// accumulators and, for training, the AdamW moments. Each kind lives in one
// allocation, the tensors that take weight decay first, so a whole-model
// kernel (the norm of all gradients, AdamW over one decay group) is one call.
// Every tensor starts on a 16-byte boundary (paramAlign elements), as GPU
// vector loads and cuBLAS's fast paths want; the gaps between tensors are
// zero in every kind, so they add nothing to a norm and AdamW leaves them
// zero.
type Weights struct {
	dev   Device
	Specs []model.ParamSpec
	// W, Grad, M and V hold one Buf per parameter, in Specs order.
	W, Grad, M, V []Buf
	// All* span every tensor of a kind; Decay* span the ones with weight
	// decay (the rest follows them).
	AllW, AllGrad, AllM, AllV Buf
	DecayN                    int

	wrapped bool // W are host slices of the caller's (NewInferenceWeights)
}

// paramAlign is the granularity of parameter offsets in elements (16 bytes).
const paramAlign = 4

// NewWeights allocates zeroed weights for specs on dev; optimizer adds the
// AdamW moments.
func NewWeights(dev Device, specs []model.ParamSpec, optimizer bool) (*Weights, error) {
	return newWeights(dev, specs, true, optimizer)
}

// newWeights allocates the weights, with gradient accumulators when grads
// is set and the AdamW moments when optimizer is.
func newWeights(dev Device, specs []model.ParamSpec, grads, optimizer bool) (*Weights, error) {
	w := &Weights{dev: dev, Specs: specs}
	offsets := make([]int, len(specs))
	total := 0
	for pass := 0; pass < 2; pass++ { // decayed tensors first
		for i, p := range specs {
			if p.Decays() == (pass == 0) {
				offsets[i] = total
				total += (p.Size() + paramAlign - 1) / paramAlign * paramAlign
			}
		}
		if pass == 0 {
			w.DecayN = total
		}
	}
	// alloc makes one allocation for a kind and cuts it into the tensors.
	alloc := func(all *Buf) ([]Buf, error) {
		b, err := dev.Alloc(total, F32)
		if err != nil {
			return nil, fmt.Errorf("allocate %d parameters: %w", total, err)
		}
		*all = b
		bufs := make([]Buf, len(specs))
		for i, p := range specs {
			bufs[i] = b.Slice(offsets[i], p.Size())
		}
		return bufs, nil
	}
	var err error
	if w.W, err = alloc(&w.AllW); err == nil && grads {
		w.Grad, err = alloc(&w.AllGrad)
	}
	if err == nil && optimizer {
		if w.M, err = alloc(&w.AllM); err == nil {
			w.V, err = alloc(&w.AllV)
		}
	}
	if err != nil {
		w.Free()
		return nil, err
	}
	return w, nil
}

// Free releases the device memory.
func (w *Weights) Free() {
	if w.wrapped {
		for _, b := range w.W {
			if b.Valid() {
				w.dev.Free(b)
			}
		}
		w.W = nil
		return
	}
	for _, b := range []Buf{w.AllW, w.AllGrad, w.AllM, w.AllV} {
		if b.Valid() {
			w.dev.Free(b)
		}
	}
}

// Upload sets every parameter from values (Specs order).
func (w *Weights) Upload(values [][]float32) error {
	return w.set(w.W, values, "parameter")
}

// Download returns every parameter (Specs order).
func (w *Weights) Download() ([][]float32, error) { return w.get(w.W) }

// DownloadGrads returns the accumulated gradients (Specs order).
func (w *Weights) DownloadGrads() ([][]float32, error) { return w.get(w.Grad) }

// UploadGrads sets the gradient accumulators (Specs order).
func (w *Weights) UploadGrads(values [][]float32) error {
	return w.set(w.Grad, values, "gradient")
}

// DownloadMoments returns the AdamW first and second moments.
func (w *Weights) DownloadMoments() (m, v [][]float32, err error) {
	if m, err = w.get(w.M); err != nil {
		return nil, nil, err
	}
	v, err = w.get(w.V)
	return m, v, err
}

// UploadMoments sets the AdamW moments (for resuming).
func (w *Weights) UploadMoments(m, v [][]float32) error {
	if err := w.set(w.M, m, "first moment"); err != nil {
		return err
	}
	return w.set(w.V, v, "second moment")
}

func (w *Weights) set(bufs []Buf, values [][]float32, what string) error {
	if len(bufs) != len(w.Specs) {
		return fmt.Errorf("%s: weights were allocated without optimizer state", what)
	}
	if len(values) != len(w.Specs) {
		return fmt.Errorf("%s: got %d tensors, want %d", what, len(values), len(w.Specs))
	}
	for i, p := range w.Specs {
		if len(values[i]) != p.Size() {
			return fmt.Errorf("%s %s: got %d values, want %d (shape %v)", what, p.Name, len(values[i]), p.Size(), p.Shape)
		}
		if err := w.dev.Upload(bufs[i], values[i]); err != nil {
			return fmt.Errorf("%s %s: %w", what, p.Name, err)
		}
	}
	return nil
}

func (w *Weights) get(bufs []Buf) ([][]float32, error) {
	if len(bufs) != len(w.Specs) {
		return nil, fmt.Errorf("weights were allocated without optimizer state")
	}
	out := make([][]float32, len(bufs))
	for i, b := range bufs {
		out[i] = make([]float32, b.N)
		if err := w.dev.Download(out[i], b); err != nil {
			return nil, fmt.Errorf("download %s: %w", w.Specs[i].Name, err)
		}
	}
	return out, nil
}
