// Package train is plateau's training loop: AdamW on the device, learning
// rate schedules, gradient clipping and accumulation, held-out evaluation,
// atomic checkpoints with exact resume, a metrics log and a progress line.
package train

import (
	"fmt"
	"math"
)

// Schedule gives the learning rate at each step (0-based) of a run of Steps
// steps: a linear warmup from 0 over Warmup steps, then
//
//   - "cosine": cosine decay from LR to MinLR at the last step;
//   - "constant": LR to the end;
//   - "wsd": warmup-stable-decay (Hägele et al. 2024): LR until the last
//     DecayFrac of the run, then a linear decay to MinLR.
type Schedule struct {
	Kind      string
	LR, MinLR float64
	Warmup    int
	Steps     int
	DecayFrac float64
}

// Schedules lists the Kind values.
var Schedules = []string{"cosine", "constant", "wsd"}

// Validate checks the schedule's fields, naming the one that is wrong.
func (s Schedule) Validate() error {
	switch {
	case s.Kind != "cosine" && s.Kind != "constant" && s.Kind != "wsd":
		return fmt.Errorf("schedule %q: want one of %v", s.Kind, Schedules)
	case !(s.LR > 0) || math.IsInf(s.LR, 0):
		return fmt.Errorf("learning rate %v: want a positive number", s.LR)
	case s.MinLR < 0 || s.MinLR > s.LR:
		return fmt.Errorf("minimum learning rate %v: want 0 <= min <= %v", s.MinLR, s.LR)
	case s.Warmup < 0 || s.Warmup > s.Steps:
		return fmt.Errorf("warmup %d: want 0 <= warmup <= steps (%d)", s.Warmup, s.Steps)
	case s.Kind == "wsd" && (s.DecayFrac <= 0 || s.DecayFrac > 1):
		return fmt.Errorf("wsd decay fraction %v: want a number in (0, 1]", s.DecayFrac)
	}
	return nil
}

// At returns the learning rate for step (0-based).
func (s Schedule) At(step int) float64 {
	if step < s.Warmup {
		return s.LR * float64(step+1) / float64(s.Warmup)
	}
	switch s.Kind {
	case "cosine":
		span := s.Steps - s.Warmup - 1
		if span <= 0 {
			return s.LR
		}
		frac := math.Min(1, float64(step-s.Warmup)/float64(span))
		return s.MinLR + 0.5*(s.LR-s.MinLR)*(1+math.Cos(math.Pi*frac))
	case "wsd":
		decay := int(math.Round(s.DecayFrac * float64(s.Steps)))
		start := s.Steps - decay
		if step < start || decay <= 1 {
			return s.LR
		}
		frac := float64(step-start) / float64(decay-1)
		return s.LR + (s.MinLR-s.LR)*math.Min(1, frac)
	}
	return s.LR
}
