package scaling

import "math"

// logModel is a loss law in log space over a fixed table of rows: predict
// returns the predicted log loss at row i for parameters theta and writes
// d(log L)/d(theta) into grad (len(grad) == dim()). Implementations are
// read-only after construction, so one model serves many goroutines.
type logModel interface {
	dim() int
	rows() int
	predict(theta []float64, i int, grad []float64) float64
}

// maxPowerTerms bounds the number of power-law terms a powerSum holds, so
// that predict keeps its scratch on the stack.
const maxPowerTerms = 3

// powerSum is a sum of power laws plus an optional constant, in log space:
// log L = logsumexp(a_1 - alpha_1 x_1, ..., a_K - alpha_K x_K, e), where
// x_k are log features (log N, log D or log C). theta is
// [a_1..a_K, alpha_1..alpha_K, e], without e when withE is false (a pure
// power law, E = 0). With K = 2 and x = (log N, log D) it is Chinchilla's
// L = E + A/N^alpha + B/D^beta with a = log A, b = log B, e = log E.
type powerSum struct {
	x     [][]float64
	withE bool
}

func (m powerSum) dim() int {
	d := 2 * len(m.x)
	if m.withE {
		d++
	}
	return d
}

func (m powerSum) rows() int { return len(m.x[0]) }

func (m powerSum) predict(theta []float64, i int, grad []float64) float64 {
	k := len(m.x)
	var t, w [maxPowerTerms + 1]float64
	n := k
	for j := 0; j < k; j++ {
		t[j] = theta[j] - theta[k+j]*m.x[j][i]
	}
	if m.withE {
		t[k] = theta[2*k]
		n++
	}
	lse := logSumExp(t[:n], w[:n])
	for j := 0; j < k; j++ {
		grad[j] = w[j]
		grad[k+j] = -w[j] * m.x[j][i]
	}
	if m.withE {
		grad[2*k] = w[k]
	}
	return lse
}

// logSumExp returns log(sum(exp(t))) and writes the softmax weights
// exp(t_j - lse), the derivatives of the result, into w. The direct sum
// is exact whenever it neither overflows nor underflows, which covers
// every sensible law (terms between e^-690 and e^690); otherwise it
// subtracts the largest exponent first, so the result is finite for any
// finite t.
func logSumExp(t, w []float64) float64 {
	s := 0.0
	for j, v := range t {
		e := math.Exp(v)
		w[j] = e
		s += e
	}
	if !(s > 1e-300 && s < 1e300) {
		mx := math.Inf(-1)
		for _, v := range t {
			mx = math.Max(mx, v)
		}
		s = 0
		for j, v := range t {
			e := math.Exp(v - mx)
			w[j] = e
			s += e
		}
		inv := 1 / s
		for j := range w {
			w[j] *= inv
		}
		return mx + math.Log(s)
	}
	inv := 1 / s
	for j := range w {
		w[j] *= inv
	}
	return math.Log(s)
}

// huber is the Huber loss of a residual r with threshold delta and its
// derivative: r²/2 inside [-delta, delta], delta(|r| - delta/2) outside
// (scipy.special.huber's convention). delta = +Inf gives least squares.
func huber(r, delta float64) (h, dh float64) {
	if math.Abs(r) <= delta {
		return r * r / 2, r
	}
	if r > 0 {
		return delta * (r - delta/2), delta
	}
	return delta * (-r - delta/2), -delta
}

// objective is the robust fit criterion sum_i w_i huber(pred_i - y_i) of a
// logModel against observed log losses y, with its analytic gradient. The
// weights carry bootstrap resamples as counts (nil means one each). It
// holds scratch space and a one-entry cache of the last evaluation, so it
// belongs to one goroutine; value and gradient share the cache because
// gonum's line searches ask for both at the same point.
type objective struct {
	model logModel
	y     []float64
	w     []float64
	delta float64

	g      []float64 // per-row gradient scratch
	cx     []float64 // the point of the cached evaluation
	cf     float64
	cgrad  []float64
	cached bool
}

func newObjective(m logModel, y, w []float64, delta float64) *objective {
	d := m.dim()
	return &objective{
		model: m, y: y, w: w, delta: delta,
		g: make([]float64, d), cx: make([]float64, d), cgrad: make([]float64, d),
	}
}

// evaluate fills the cache at theta unless it already holds theta.
func (o *objective) evaluate(theta []float64) {
	if o.cached && equalSlices(o.cx, theta) {
		return
	}
	grad := o.cgrad
	for j := range grad {
		grad[j] = 0
	}
	f := 0.0
	for i, yi := range o.y {
		wi := 1.0
		if o.w != nil {
			wi = o.w[i]
			if wi == 0 {
				continue
			}
		}
		r := o.model.predict(theta, i, o.g) - yi
		h, dh := huber(r, o.delta)
		f += wi * h
		c := wi * dh
		for j, gj := range o.g {
			grad[j] += c * gj
		}
	}
	copy(o.cx, theta)
	o.cf = f
	o.cached = true
}

// value is the objective at theta (gonum's Problem.Func).
func (o *objective) value(theta []float64) float64 {
	o.evaluate(theta)
	return o.cf
}

// gradient writes the objective's gradient at theta into grad (gonum's
// Problem.Grad).
func (o *objective) gradient(grad, theta []float64) {
	o.evaluate(theta)
	copy(grad, o.cgrad)
}

// residuals writes pred_i - y_i for every row into dst.
func (o *objective) residuals(theta, dst []float64) {
	for i, yi := range o.y {
		dst[i] = o.model.predict(theta, i, o.g) - yi
	}
}

func equalSlices(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
