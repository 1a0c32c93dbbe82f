package train

import (
	"fmt"
	"math"

	"github.com/plateau-lab/plateau/kernels"
)

// AdamW holds the optimizer's settings (PyTorch's torch.optim.AdamW
// semantics: decoupled weight decay on tensors of 2 or more dimensions,
// bias-corrected moments) and the global gradient-norm clip.
type AdamW struct {
	Beta1, Beta2, Eps, WeightDecay float64
	// ClipNorm clips the global L2 norm of the gradient; 0 disables it.
	ClipNorm float64
}

// DefaultAdamW is the setting most published small-model runs use.
var DefaultAdamW = AdamW{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1, ClipNorm: 1}

// Validate names the first setting out of range.
func (a AdamW) Validate() error {
	switch {
	case a.Beta1 < 0 || a.Beta1 >= 1:
		return fmt.Errorf("adam beta1 %v: want 0 <= beta1 < 1", a.Beta1)
	case a.Beta2 < 0 || a.Beta2 >= 1:
		return fmt.Errorf("adam beta2 %v: want 0 <= beta2 < 1", a.Beta2)
	case !(a.Eps > 0):
		return fmt.Errorf("adam eps %v: want a positive number", a.Eps)
	case a.WeightDecay < 0 || math.IsNaN(a.WeightDecay):
		return fmt.Errorf("weight decay %v: want >= 0", a.WeightDecay)
	case a.ClipNorm < 0 || math.IsNaN(a.ClipNorm):
		return fmt.Errorf("gradient clip %v: want >= 0 (0 disables clipping)", a.ClipNorm)
	}
	return nil
}

// optimizer runs one AdamW update over a model's Weights on their device.
// Its scalars live on the device too, so a step needs no host round trip
// until the loss and gradient norm are read for logging.
type optimizer struct {
	dev   kernels.Device
	w     *kernels.Weights
	cfg   AdamW
	stats kernels.Buf // [0] mean loss over micro-batches, [1] sum of squared gradients
	scale kernels.Buf // [0] the factor applied to the gradients (accumulation and clipping)
	host  []float32   // stats, downloaded
}

func newOptimizer(dev kernels.Device, w *kernels.Weights, cfg AdamW) (*optimizer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := &optimizer{dev: dev, w: w, cfg: cfg, host: make([]float32, 2)}
	var err error
	if o.stats, err = dev.Alloc(2, kernels.F32); err != nil {
		return nil, err
	}
	if o.scale, err = dev.Alloc(1, kernels.F32); err != nil {
		dev.Free(o.stats)
		return nil, err
	}
	return o, nil
}

func (o *optimizer) free() {
	o.dev.Free(o.stats)
	o.dev.Free(o.scale)
}

// lossAcc is where micro-batch losses are summed.
func (o *optimizer) lossAcc() kernels.Buf { return o.stats.Slice(0, 1) }

// begin clears the gradients and the loss accumulator for a new step.
func (o *optimizer) begin() {
	o.dev.Zero(o.w.AllGrad)
	o.dev.Zero(o.stats)
}

// measure adds up the squared gradients and reads the step's mean loss and
// the global gradient norm before clipping back to the host. It waits for
// the device; nothing has been applied to the weights yet.
func (o *optimizer) measure(accum int) (loss, gradNorm float64, err error) {
	o.dev.SumSquares(o.stats.Slice(1, 1), o.w.AllGrad)
	v := o.host
	if err := o.dev.Download(v, o.stats); err != nil {
		return 0, 0, err
	}
	if err := o.dev.Sync(); err != nil {
		return 0, 0, err
	}
	return float64(v[0]), math.Sqrt(float64(v[1])) / float64(accum), nil
}

// update queues AdamW step (1-based) with learning rate lr on gradients
// summed over accum micro-batches, whose squared sum measure has computed.
func (o *optimizer) update(step int, lr float64, accum int) {
	d, w := o.dev, o.w
	d.ClipScale(o.scale, o.stats.Slice(1, 1), float32(1/float64(accum)), float32(o.cfg.ClipNorm))
	n, nd := w.AllW.N, w.DecayN
	groups := []struct {
		off, n int
		wd     float64
	}{{0, nd, o.cfg.WeightDecay}, {nd, n - nd, 0}}
	for _, g := range groups {
		if g.n == 0 {
			continue
		}
		d.AdamW(w.AllW.Slice(g.off, g.n), w.AllGrad.Slice(g.off, g.n), w.AllM.Slice(g.off, g.n), w.AllV.Slice(g.off, g.n), o.scale,
			float32(lr), float32(o.cfg.Beta1), float32(o.cfg.Beta2), float32(o.cfg.Eps), float32(g.wd), step)
	}
}
