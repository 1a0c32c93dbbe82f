package scaling

import (
	"fmt"
	"math"
	"sort"
)

// ComputeLaw is a law of the loss frontier in training compute:
// L(C) = E + A C^(-Alpha), the saturating form, or with E = 0 the pure
// power law. It is what Law becomes along its compute-optimal path, and
// what a frontier can be fitted with when N and D are not separable.
type ComputeLaw struct {
	E     float64 `json:"E"`
	A     float64 `json:"A"`
	Alpha float64 `json:"alpha"`
}

// Loss is the law's loss at compute c.
func (l ComputeLaw) Loss(c float64) float64 { return l.E + l.A*math.Pow(c, -l.Alpha) }

// frontierKind names one of the laws fitted to a loss-compute frontier.
type frontierKind string

const (
	kindSaturating frontierKind = "saturating" // E + A C^-alpha
	kindPower      frontierKind = "power"      // A C^-alpha
	kindBroken     frontierKind = "broken"     // BrokenLaw
)

// params is the number of free parameters of the kind.
func (k frontierKind) params() int {
	switch k {
	case kindSaturating:
		return 3
	case kindPower:
		return 2
	}
	return 6
}

// computeFit is one law fitted to (compute, loss) pairs.
type computeFit struct {
	kind     frontierKind
	theta    []float64
	lnCref   float64
	out      fitOutcome
	power    ComputeLaw // for saturating and power
	broken   BrokenLaw  // for broken
	trainRSS float64    // sum of squared log-loss residuals on the fitted pairs
}

// logLoss is the fitted law's log loss at compute c, computed in the
// fitted parameterisation so that it stays finite where the raw
// constants would overflow.
func (f *computeFit) logLoss(c float64) float64 {
	x := []float64{math.Log(c) - f.lnCref}
	var m logModel = powerSum{x: [][]float64{x}, withE: f.kind == kindSaturating}
	if f.kind == kindBroken {
		m = brokenModel{x: x}
	}
	return m.predict(f.theta, 0, make([]float64, m.dim()))
}

// fitComputeLaw fits a law of kind to losses against compute by the same
// Huber criterion as FitLaw, in centred log compute (x = log(C/Cref) with
// Cref the geometric mean of cs) so that the starts can be stated
// relative to the data: the grids below span the observed loss and
// compute range rather than absolute constants.
//
// A saturating fit to the same data, when given as nested, joins the
// broken law's starts as the broken law with c1 = 0, so that the broken
// fit is never worse on its training data than the law it contains.
func fitComputeLaw(kind frontierKind, cs, losses []float64, delta float64, nested *computeFit) (*computeFit, error) {
	if need := minPointsFor(kind.params()); len(cs) < need {
		return nil, fmt.Errorf("fit the %s law of loss against compute: need at least %d points for its %d parameters, got %d", kind, need, kind.params(), len(cs))
	}
	x := make([]float64, len(cs))
	y := make([]float64, len(cs))
	lnCref := 0.0
	for i, c := range cs {
		x[i] = math.Log(c)
		lnCref += x[i] / float64(len(cs))
		y[i] = math.Log(losses[i])
	}
	for i := range x {
		x[i] -= lnCref
	}
	if distinctWeighted(x, ones(len(x))) < 2 {
		return nil, fmt.Errorf("fit the %s law of loss against compute: all %d points have the same compute, so its exponent is not identifiable", kind, len(cs))
	}
	lmin := y[0]
	for _, v := range y {
		lmin = math.Min(lmin, v)
	}
	var model logModel
	var starts [][]float64
	switch kind {
	case kindSaturating:
		model = powerSum{x: [][]float64{x}, withE: true}
		starts = product([]float64{lmin - 3, lmin - 1.5, lmin}, []float64{0.05, 0.2, 0.5, 1}, []float64{lmin - 2, lmin - 0.5, lmin - 0.1})
	case kindPower:
		model = powerSum{x: [][]float64{x}}
		starts = product([]float64{lmin - 1, lmin, lmin + 1}, []float64{0.02, 0.1, 0.5})
	case kindBroken:
		q := append([]float64(nil), x...)
		sort.Float64s(q)
		breaks := []float64{quantileSorted(q, 0.25), quantileSorted(q, 0.5), quantileSorted(q, 0.75)}
		model = brokenModel{x: x}
		starts = product([]float64{lmin - 2, lmin - 0.5}, []float64{0.05, 0.3}, []float64{-0.2, 0.2}, breaks, []float64{math.Log(0.3), 0}, []float64{lmin - 2, lmin - 0.3})
		if nested != nil && nested.kind == kindSaturating && nested.lnCref == lnCref {
			th := nested.theta
			for _, b := range breaks {
				starts = append(starts, []float64{th[0], th[1], 0, b, 0, th[2]})
			}
		}
	default:
		return nil, fmt.Errorf("fit loss against compute: unknown law %q", kind)
	}
	out := multiStart(fitProblem{model: model, y: y, delta: delta}, starts, 1, defaultSolver())
	if math.IsInf(out.best.f, 1) {
		return nil, fmt.Errorf("fit the %s law of loss against compute: %s", kind, out.message)
	}
	f := &computeFit{kind: kind, theta: out.best.x, lnCref: lnCref, out: out}
	th := out.best.x
	switch kind {
	case kindSaturating:
		f.power = ComputeLaw{A: math.Exp(th[0] + th[1]*lnCref), Alpha: th[1], E: math.Exp(th[2])}
	case kindPower:
		f.power = ComputeLaw{A: math.Exp(th[0] + th[1]*lnCref), Alpha: th[1]}
	case kindBroken:
		f.broken = brokenFromTheta(th, lnCref)
	}
	for i, c := range cs {
		r := y[i] - f.logLoss(c)
		f.trainRSS += r * r
	}
	return f, nil
}

// product lists every combination of one value from each axis.
func product(axes ...[]float64) [][]float64 {
	out := [][]float64{nil}
	for _, ax := range axes {
		var next [][]float64
		for _, pre := range out {
			for _, v := range ax {
				next = append(next, append(append([]float64(nil), pre...), v))
			}
		}
		out = next
	}
	return out
}

func ones(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	return w
}
