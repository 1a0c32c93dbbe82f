package train

import (
	"fmt"
	"math"
)

// NaNPolicy says what a run does at a step whose loss or gradient is NaN or
// infinite. Such a step is caught before AdamW runs, so the weights and the
// optimizer state never see it. The zero value stops the run with a
// *DivergedError.
type NaNPolicy struct {
	// Skip drops the offending batch instead of stopping: no update is
	// applied, the step is retried on the next batch, and the learning
	// rate is multiplied by LRFactor for the rest of the run.
	Skip bool
	// LRFactor is the learning-rate multiplier each skip applies, in
	// (0, 1]; 0 means DefaultNaNLRFactor.
	LRFactor float64
	// MaxSkips is how many batches a run may skip in all before it stops
	// anyway; 0 means DefaultNaNMaxSkips.
	MaxSkips int
}

// Defaults of NaNPolicy's zero fields: halve the learning rate at each
// skip, stop at the sixth bad batch (by then the run is broken, not unlucky).
const (
	DefaultNaNLRFactor = 0.5
	DefaultNaNMaxSkips = 5
)

// withDefaults fills the zero fields.
func (p NaNPolicy) withDefaults() NaNPolicy {
	if p.LRFactor == 0 {
		p.LRFactor = DefaultNaNLRFactor
	}
	if p.MaxSkips == 0 {
		p.MaxSkips = DefaultNaNMaxSkips
	}
	return p
}

// Validate names the first setting out of range.
func (p NaNPolicy) Validate() error {
	switch {
	case !(p.LRFactor >= 0 && p.LRFactor <= 1):
		return fmt.Errorf("NaN policy: learning-rate factor %v: want 0 < factor <= 1 (0 for the default %v)", p.LRFactor, DefaultNaNLRFactor)
	case p.MaxSkips < 0:
		return fmt.Errorf("NaN policy: max skips %d: want >= 0 (0 for the default %d)", p.MaxSkips, DefaultNaNMaxSkips)
	}
	return nil
}

// Tensor names DivergedError uses besides parameter names.
const (
	TensorLoss     = "loss"      // the training loss itself is not finite
	TensorGradNorm = "grad_norm" // every gradient is finite but the sum of their squares overflows
)

// DivergedError reports a run stopped by a NaN or infinite loss or
// gradient. A sweep runner tells it from other failures with errors.As and
// marks the run as diverged rather than retrying it.
type DivergedError struct {
	Step int // the 1-based step whose loss or gradient was not finite
	// Tensor is TensorLoss, the name of the first parameter (in the
	// model's parameter order) whose gradient holds a NaN or Inf, or
	// TensorGradNorm.
	Tensor   string
	Value    float64 // the loss, or the gradient norm, of the failing step
	LastLoss float64 // the last finite training loss (NaN if none is known)
	Skipped  int     // batches the run had skipped (NaNPolicy.Skip) before it gave up
	// Checkpoint is the checkpoint folder of the run, which still holds the
	// last good checkpoint, from step CheckpointStep (0: none was written).
	// Both are empty when the error comes from Trainer.Step.
	Checkpoint     string
	CheckpointStep int
}

func (e *DivergedError) Error() string {
	var what string
	switch e.Tensor {
	case TensorLoss:
		what = fmt.Sprintf("loss is %v", e.Value)
	case TensorGradNorm:
		what = fmt.Sprintf("gradient norm is %v (every gradient is finite; the sum of their squares overflows)", e.Value)
	default:
		what = fmt.Sprintf("gradient of %s is not finite (norm %v)", e.Tensor, e.Value)
	}
	s := fmt.Sprintf("step %d: training diverged: %s; last good loss %.4f", e.Step, what, e.LastLoss)
	if e.Skipped > 0 {
		s += fmt.Sprintf("; %d bad batches skipped before this one", e.Skipped)
	}
	switch {
	case e.Checkpoint == "":
	case e.CheckpointStep > 0:
		s += fmt.Sprintf("; the last good checkpoint, %s, is from step %d", e.Checkpoint, e.CheckpointStep)
	default:
		s += fmt.Sprintf("; no checkpoint was written to %s", e.Checkpoint)
	}
	return s
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// diagnose builds the error for 0-based step i, whose loss or gradient norm
// is not finite: it names the loss, or reads the gradients back to find the
// first parameter whose gradient is not finite.
func (t *Trainer) diagnose(i int, loss, gradNorm float64) error {
	e := &DivergedError{Step: i + 1, Tensor: TensorLoss, Value: loss, LastLoss: t.state.lastLoss(), Skipped: t.state.Skipped}
	if finite(loss) {
		e.Tensor, e.Value = TensorGradNorm, gradNorm
		grads, err := t.w.DownloadGrads()
		if err != nil {
			return fmt.Errorf("step %d: gradient norm %v: reading the gradients back: %w", i+1, gradNorm, err)
		}
	search:
		for k, g := range grads {
			for _, v := range g {
				if !finite(float64(v)) {
					e.Tensor = t.w.Specs[k].Name
					break search
				}
			}
		}
	}
	return e
}
