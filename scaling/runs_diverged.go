package scaling

import (
	"errors"
	"math"
	"strconv"

	"github.com/plateau-lab/plateau/train"
)

// Divergence is result.json's diagnostic of a diverged run, from the
// trainer's *train.DivergedError: where the loss or a gradient stopped
// being finite and what the run had before.
type Divergence struct {
	// Step is the 1-based step whose loss or gradient was not finite.
	Step int `json:"step"`
	// Tensor is "loss", "grad_norm" (every gradient finite, their squared
	// sum not) or the first parameter whose gradient is not finite.
	Tensor string `json:"tensor"`
	// Value is that step's loss or gradient norm as text (NaN, +Inf),
	// which JSON numbers cannot hold.
	Value string `json:"value"`
	// LastLoss is the last finite training loss, nil when none is known.
	LastLoss *float64 `json:"last_loss"`
	// Skipped are the batches skipped (RunConfig.NaNSkip) before the run
	// gave up.
	Skipped int `json:"skipped_batches,omitempty"`
	// CheckpointStep is the step of the last good checkpoint the run left
	// in its folder (0: none).
	CheckpointStep int `json:"checkpoint_step"`
}

// newDivergence is the diagnostic of d.
func newDivergence(d *train.DivergedError) *Divergence {
	v := &Divergence{Step: d.Step, Tensor: d.Tensor, Value: strconv.FormatFloat(d.Value, 'g', -1, 64),
		Skipped: d.Skipped, CheckpointStep: d.CheckpointStep}
	if !math.IsNaN(d.LastLoss) && !math.IsInf(d.LastLoss, 0) {
		last := d.LastLoss
		v.LastLoss = &last
	}
	return v
}

// err is the trainer's error the diagnostic was made from, its checkpoint
// in the run folder dir.
func (v Divergence) err(dir string) *train.DivergedError {
	value, err := strconv.ParseFloat(v.Value, 64)
	if err != nil {
		value = math.NaN()
	}
	last := math.NaN()
	if v.LastLoss != nil {
		last = *v.LastLoss
	}
	return &train.DivergedError{Step: v.Step, Tensor: v.Tensor, Value: value, LastLoss: last, Skipped: v.Skipped,
		Checkpoint: train.ModelDir(dir), CheckpointStep: v.CheckpointStep}
}

// failure is the error a failed or diverged run's result.json in dir
// records: a *train.DivergedError for a diverged run.
func (o RunOutcome) failure(dir string) error {
	if o.Status == StatusDiverged && o.Diverged != nil {
		return o.Diverged.err(dir)
	}
	return errors.New(o.Error)
}

// unfitted reports whether the outcome is a run's end that gives no point
// and that a sweep does not retry: failed or diverged.
func (o RunOutcome) unfitted() bool {
	return o.Status == StatusFailed || o.Status == StatusDiverged
}
