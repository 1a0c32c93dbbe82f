package scaling

import (
	"fmt"
	"math/rand/v2"
)

// LawIntervals are bootstrap percentile intervals for every number of a
// fitted Law: the constants and the allocation exponents a and b of
// N_opt ∝ C^a, D_opt ∝ C^b.
type LawIntervals struct {
	E         Interval `json:"E"`
	A         Interval `json:"A"`
	Alpha     Interval `json:"alpha"`
	B         Interval `json:"B"`
	Beta      Interval `json:"beta"`
	NExponent Interval `json:"a"` // a = beta/(alpha+beta)
	DExponent Interval `json:"b"` // b = alpha/(alpha+beta)
	Level     float64  `json:"level"`
	Resamples int      `json:"resamples"` // resamples fitted
	Failed    int      `json:"failed"`    // resamples left out: unfittable or not converged
}

// refitGrid is the coarse grid that joins the full fit's local minima as
// starts for every bootstrap refit: a resample's objective is a
// reweighting of the full one, so its minimum lies near one of the full
// fit's minima, and the grid catches a minimum that moved to a new basin.
// 16 starts instead of 4500 keep a resample cheap.
var refitGrid = StartGrid{
	LogA: []float64{2, 10}, LogB: []float64{2, 10}, LogE: []float64{0},
	Alpha: []float64{0.3, 1}, Beta: []float64{0.3, 1},
}

// refitStarts are the starts of a bootstrap refit of fit.
func refitStarts(fit *LawFit) [][]float64 {
	return append(append([][]float64(nil), fit.minima...), refitGrid.starts(!fit.NoE)...)
}

// refit fits d with row weights w from starts on the calling goroutine. It
// reports false when the weighted rows cannot identify the law (fewer
// distinct N or D than two) or the fit did not converge.
func (d *lawData) refit(w []float64, starts [][]float64, delta float64) ([]float64, bool) {
	if distinctWeighted(d.lnN, w) < 2 || distinctWeighted(d.lnD, w) < 2 {
		return nil, false
	}
	p := fitProblem{model: d.model(), y: d.lnL, w: w, delta: delta}
	out := multiStart(p, starts, 1, defaultSolver())
	return out.best.x, out.converged
}

// distinctWeighted counts the distinct values of x among rows of positive
// weight.
func distinctWeighted(x, w []float64) int {
	seen := map[float64]bool{}
	for i, v := range x {
		if w[i] > 0 {
			seen[v] = true
		}
	}
	return len(seen)
}

// BootstrapLaw puts percentile intervals on a law fitted by FitLaw to the
// same points: it resamples the points with replacement, refits each
// resample from the full fit's local minima plus a coarse grid (see
// refitGrid), and takes the quantiles of the refitted constants.
// Resamples whose fit does not converge are left out and counted in
// Failed.
func BootstrapLaw(points []Point, fit *LawFit, opt BootstrapOptions) (*LawIntervals, error) {
	iv, _, err := bootstrapLaw(points, fit, opt)
	return iv, err
}

// bootstrapLaw is BootstrapLaw that also returns every fitted resample's
// numbers (lawStats order).
func bootstrapLaw(points []Point, fit *LawFit, opt BootstrapOptions) (*LawIntervals, [][]float64, error) {
	if fit == nil || fit.theta == nil {
		return nil, nil, fmt.Errorf("bootstrap L(N,D): no fitted law to resample: fit it with FitLaw first")
	}
	d, err := newLawData(points, !fit.NoE)
	if err != nil {
		return nil, nil, fmt.Errorf("bootstrap: %w", err)
	}
	if len(points) != fit.Points {
		return nil, nil, fmt.Errorf("bootstrap L(N,D): the fit saw %d points, got %d: pass the points it was fitted to", fit.Points, len(points))
	}
	starts := refitStarts(fit)
	br := runBootstrap(len(points), nil, opt, func(w []float64, _ *rand.Rand) ([]float64, bool) {
		theta, ok := d.refit(w, starts, fit.HuberDelta)
		if !ok {
			return nil, false
		}
		return lawStats(lawFromTheta(theta, !fit.NoE)), true
	})
	v := lawStats(fit.Law)
	return &LawIntervals{
		E: br.interval(0, v[0]), A: br.interval(1, v[1]), Alpha: br.interval(2, v[2]),
		B: br.interval(3, v[3]), Beta: br.interval(4, v[4]),
		NExponent: br.interval(5, v[5]), DExponent: br.interval(6, v[6]),
		Level: br.level, Resamples: len(br.reps), Failed: br.failed,
	}, br.reps, nil
}

// lawStats lists the numbers BootstrapLaw puts intervals on, in the order
// of LawIntervals' fields.
func lawStats(l Law) []float64 {
	a, b := l.AllocationExponents()
	return []float64{l.E, l.A, l.Alpha, l.B, l.Beta, a, b}
}
