package scaling

import (
	"fmt"
	"math"
)

// Outcomes of CheckEntropy, the test of a fitted floor E against the
// data's known entropy H.
const (
	// EntropyAgrees: H lies inside E's interval, and the interval is
	// narrow enough (at most WideEntropyInterval of H) for that to mean
	// the law's floor is the data's own.
	EntropyAgrees = "agrees"
	// EntropyUninformative: H lies inside E's interval only because the
	// interval is wide: the fit does not pin the floor down.
	EntropyUninformative = "uninformative"
	// EntropyAbove: the whole interval lies above H: the law levels off
	// above what the data allows, a limit of the model family or the
	// training recipe rather than of the data.
	EntropyAbove = "above"
	// EntropyBelow: the whole interval lies below H, which no model can
	// beat: E is not a trustworthy floor.
	EntropyBelow = "below"
	// EntropyNoInterval: E has no interval (no resample could be
	// fitted), so nothing can be tested.
	EntropyNoInterval = "no-interval"
)

// WideEntropyInterval is the width of E's interval, as a fraction of H,
// beyond which H lying inside it says nothing.
const WideEntropyInterval = 0.25

// CheckEntropy tests whether the fitted irreducible loss e (with its
// bootstrap interval) agrees with the data's entropy h > 0: whether h lies
// inside the interval, and whether the interval is narrow enough for that
// to mean something. The floors are left for the caller.
func CheckEntropy(e Interval, h float64) EntropyCheck {
	c := EntropyCheck{H: h, E: e, Difference: e.Value - h, Relative: (e.Value - h) / h, Inside: e.Contains(h)}
	switch {
	case !e.HasBounds():
		c.Outcome = EntropyNoInterval
	case c.Inside && e.Hi-e.Lo > WideEntropyInterval*h:
		c.Outcome = EntropyUninformative
	case c.Inside:
		c.Outcome = EntropyAgrees
	case e.Lo > h:
		c.Outcome = EntropyAbove
	default:
		c.Outcome = EntropyBelow
	}
	return c
}

// entropySentence states the outcome of the test of E against H in words
// and numbers.
func entropySentence(e *EntropyCheck) string {
	ev := fmt.Sprintf("The fitted E = %s nats", e.E)
	rel := fmt.Sprintf("E - H = %+.3g nats, %+.2g%% of H", e.Difference, 100*e.Relative)
	switch e.Outcome {
	case EntropyNoInterval:
		return fmt.Sprintf("%s (no interval) lies %+.3g nats from the data's entropy H = %.4g.", ev, e.Difference, e.H)
	case EntropyUninformative:
		return fmt.Sprintf("%s contains the data's entropy H = %.4g (%s), but the interval is %.3g nats wide: the joint fit does not pin the floor down at this scale.", ev, e.H, rel, e.E.Hi-e.E.Lo)
	case EntropyAgrees:
		return fmt.Sprintf("%s contains the data's entropy H = %.4g (%s): the floor the law approaches is the data's own.", ev, e.H, rel)
	case EntropyAbove:
		return fmt.Sprintf("%s lies %.3g nats (%.2g%%) above the data's entropy H = %.4g, outside its interval: the law's floor sits above what the data allows, a limit of this model family and training recipe rather than of the data.", ev, e.Difference, 100*e.Relative, e.H)
	default:
		return fmt.Sprintf("%s lies %.3g nats (%.2g%%) below the data's entropy H = %.4g, which no model can beat: E is not a trustworthy floor at this scale.", ev, -e.Difference, -100*e.Relative, e.H)
	}
}

// unknownEntropySentence says that E cannot be tested, for data whose
// entropy is not known.
func unknownEntropySentence(e Interval) string {
	return fmt.Sprintf("The data's entropy H is not known (plateau knows it only for its synthetic sources), so whether the fitted E = %s nats is the data's own floor, or one of the model family and training recipe, cannot be tested here.", e)
}

// floorsFromAbove reports whether every fitted per-size floor lies above h
// and the floors fall (never rise) as N grows: the floors approach H from
// above, as they must if each size learns what it can hold. Sizes whose fit
// failed are skipped; fewer than two floors is false.
func floorsFromAbove(floors []SizeFloor, h float64) bool {
	prev, n := math.Inf(1), 0
	for _, f := range floors {
		if !(f.E > 0) {
			continue
		}
		if f.E <= h || f.E > prev {
			return false
		}
		prev, n = f.E, n+1
	}
	return n >= 2
}
