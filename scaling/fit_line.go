package scaling

import "math"

// PowerLawFit is y = Coef x^Exponent fitted by least squares on
// (log x, log y), with bootstrap intervals: the form of Approach 1's and
// 2's N_opt(C) and D_opt(C).
type PowerLawFit struct {
	Coef     Interval `json:"coef"`
	Exponent Interval `json:"exponent"`
	Points   int      `json:"points"`   // (x, y) pairs fitted
	RMSE     float64  `json:"rmse_log"` // root mean square residual in log y
}

// At is the fitted y at x.
func (p PowerLawFit) At(x float64) float64 { return p.Coef.Value * math.Pow(x, p.Exponent.Value) }

// logLine fits log y = c + s log x by least squares, skipping pairs of
// zero weight (w nil: weight one each), and returns the root mean square
// residual. ok is false when the weighted x values do not span two
// distinct values.
func logLine(x, y, w []float64) (c, s, rmse float64, ok bool) {
	var sw, sx, sy float64
	for i := range x {
		wi := weightAt(w, i)
		if wi == 0 {
			continue
		}
		lx, ly := math.Log(x[i]), math.Log(y[i])
		sw += wi
		sx += wi * lx
		sy += wi * ly
	}
	if sw == 0 {
		return 0, 0, 0, false
	}
	mx, my := sx/sw, sy/sw
	var sxx, sxy float64
	for i := range x {
		wi := weightAt(w, i)
		if wi == 0 {
			continue
		}
		dx, dy := math.Log(x[i])-mx, math.Log(y[i])-my
		sxx += wi * dx * dx
		sxy += wi * dx * dy
	}
	if !(sxx > 1e-12*sw) {
		return 0, 0, 0, false
	}
	s = sxy / sxx
	c = my - s*mx
	var ss float64
	for i := range x {
		wi := weightAt(w, i)
		r := math.Log(y[i]) - c - s*math.Log(x[i])
		ss += wi * r * r
	}
	return c, s, math.Sqrt(ss / sw), true
}

func weightAt(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}

// powerLawFit assembles a PowerLawFit from the full-data line (c, s) and
// the bootstrap replicates of (c, s) in columns k, k+1 of br.
func powerLawFit(c, s, rmse float64, n int, br bootstrapRun, k int) PowerLawFit {
	ci := br.interval(k, c)
	return PowerLawFit{
		Coef:     Interval{Value: math.Exp(ci.Value), Lo: math.Exp(ci.Lo), Hi: math.Exp(ci.Hi)},
		Exponent: br.interval(k+1, s),
		Points:   n,
		RMSE:     rmse,
	}
}
