package scaling

import "github.com/plateau-lab/plateau/train"

// NaNSkip, set in a plan, lets its runs skip a batch whose loss or
// gradient is NaN or infinite instead of stopping as diverged: the batch
// is dropped, the step retried on the next one, and the learning rate
// multiplied by LRFactor for the rest of the run; after MaxSkips skipped
// batches the run stops as diverged anyway (train.NaNPolicy). Skipped
// batches change what a run measures: results.csv and result.json count
// them.
type NaNSkip struct {
	// LRFactor is the learning-rate multiplier of each skip, in (0, 1];
	// 0 means train.DefaultNaNLRFactor.
	LRFactor float64 `json:"lr_factor,omitempty"`
	// MaxSkips is how many batches a run may skip; 0 means
	// train.DefaultNaNMaxSkips.
	MaxSkips int `json:"max_skips,omitempty"`
}

// policy is the trainer's NaN policy for a run with skip settings s (nil:
// stop at the first NaN or Inf).
func (s *NaNSkip) policy() train.NaNPolicy {
	if s == nil {
		return train.NaNPolicy{}
	}
	return train.NaNPolicy{Skip: true, LRFactor: s.LRFactor, MaxSkips: s.MaxSkips}
}

// withDefaults is a copy of s with its zero fields set to the trainer's
// defaults, as a run's config.json records them; nil stays nil.
func (s *NaNSkip) withDefaults() *NaNSkip {
	if s == nil {
		return nil
	}
	c := *s
	if c.LRFactor == 0 {
		c.LRFactor = train.DefaultNaNLRFactor
	}
	if c.MaxSkips == 0 {
		c.MaxSkips = train.DefaultNaNMaxSkips
	}
	return &c
}

// validate names the first setting of s out of range.
func (s *NaNSkip) validate() error {
	switch {
	case s == nil:
		return nil
	case !(s.LRFactor >= 0 && s.LRFactor <= 1):
		return planFieldError("nan_skip.lr_factor", "%v, want a learning-rate multiplier in (0, 1] (0: %v)", s.LRFactor, train.DefaultNaNLRFactor)
	case s.MaxSkips < 0:
		return planFieldError("nan_skip.max_skips", "%d, want a number of batches >= 1 (0: %d)", s.MaxSkips, train.DefaultNaNMaxSkips)
	}
	return nil
}
