package scaling

import (
	"fmt"
	"math"
)

// validatePoints checks that every point has a positive finite N, D and
// loss (and FLOPs, when set), naming the first bad one.
func validatePoints(points []Point) error {
	for i, p := range points {
		for _, f := range []struct {
			name string
			v    float64
			opt  bool
		}{{"params", p.Params, false}, {"tokens", p.Tokens, false}, {"loss", p.Loss, false}, {"flops", p.FLOPs, true}} {
			if f.opt && f.v == 0 {
				continue
			}
			if !positiveFinite(f.v) {
				return fmt.Errorf("point %d%s: %s = %v, want a positive finite number", i+1, runLabel(p), f.name, f.v)
			}
		}
	}
	return nil
}

func runLabel(p Point) string {
	if p.Run == "" {
		return ""
	}
	return fmt.Sprintf(" (run %q)", p.Run)
}

// positiveFinite reports whether v is a positive finite number (NaN is not).
func positiveFinite(v float64) bool { return v > 0 && !math.IsInf(v, 1) }

// checkVaries fails when every point has the same value of a variable:
// then the terms named by what cannot be told apart from the constant.
func checkVaries(points []Point, variable string, get func(Point) float64, what string) error {
	if len(points) == 0 {
		return nil
	}
	v0 := get(points[0])
	for _, p := range points[1:] {
		if get(p) != v0 {
			return nil
		}
	}
	return fmt.Errorf("all %d points have %s = %.4g, so %s are not identifiable: the points must span more than one %s", len(points), variable, v0, what, variable)
}
