package scaling

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// KaplanFit is a Kaplan et al. 2020 single-variable law,
// L(X) = (Xc/X)^alphaX, for X = N (fitted on the largest-D run of each
// model size, the nearest thing to training to convergence) or X = D
// (fitted on the largest-N run of each token count, the nearest thing to
// an unbounded model). It is fitted by least squares on
// log L = alphaX log Xc - alphaX log X.
type KaplanFit struct {
	Variable  string   `json:"variable"` // "N" or "D"
	Exponent  Interval `json:"exponent"` // alpha_N or alpha_D
	Scale     Interval `json:"scale"`    // N_c or D_c; absent when the exponent is not positive
	Selected  []Point  `json:"selected"` // the runs fitted, by increasing X
	RMSE      float64  `json:"rmse_log_loss"`
	Level     float64  `json:"level"`
	Resamples int      `json:"resamples"`
	Failed    int      `json:"failed"`
}

// Loss is the fitted law's loss at x.
func (k KaplanFit) Loss(x float64) float64 {
	return math.Pow(k.Scale.Value/x, k.Exponent.Value)
}

// minKaplanPoints is how many distinct values of X a Kaplan law needs.
const minKaplanPoints = 3

// FitKaplanN fits L(N) = (N_c/N)^alpha_N to the largest-D run of each
// model size, with intervals from resampling those runs.
func FitKaplanN(points []Point, opt BootstrapOptions) (*KaplanFit, error) {
	return fitKaplan(points, "N", func(p Point) (x, other float64) { return p.Params, p.Tokens }, opt)
}

// FitKaplanD fits L(D) = (D_c/D)^alpha_D to the largest-N run of each
// token count, with intervals from resampling those runs.
func FitKaplanD(points []Point, opt BootstrapOptions) (*KaplanFit, error) {
	return fitKaplan(points, "D", func(p Point) (x, other float64) { return p.Tokens, p.Params }, opt)
}

func fitKaplan(points []Point, variable string, get func(Point) (x, other float64), opt BootstrapOptions) (*KaplanFit, error) {
	name := fmt.Sprintf("fit L(%s) = (%[1]s_c/%[1]s)^alpha_%[1]s", variable)
	if err := validatePoints(points); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// The run with the largest other variable at each x (ties: lowest loss).
	pick := map[float64]int{}
	var order []float64
	for i, p := range points {
		x, o := get(p)
		j, ok := pick[x]
		if !ok {
			order = append(order, x)
			pick[x] = i
			continue
		}
		_, oj := get(points[j])
		if o > oj || (o == oj && p.Loss < points[j].Loss) {
			pick[x] = i
		}
	}
	if len(order) < minKaplanPoints {
		return nil, fmt.Errorf("%s: need at least %d distinct %s, got %d", name, minKaplanPoints, variable, len(order))
	}
	sort.Float64s(order)
	sel := make([]Point, len(order))
	xs, ls := make([]float64, len(order)), make([]float64, len(order))
	for i, x := range order {
		sel[i] = points[pick[x]]
		xs[i], ls[i] = x, sel[i].Loss
	}
	c, s, rmse, _ := logLine(xs, ls, nil)
	br := runBootstrap(len(sel), nil, opt, func(w []float64, _ *rand.Rand) ([]float64, bool) {
		c, s, _, ok := logLine(xs, ls, w)
		if !ok {
			return nil, false
		}
		return kaplanStats(c, s), true
	})
	v := kaplanStats(c, s)
	return &KaplanFit{
		Variable: variable,
		Exponent: br.interval(0, v[0]),
		Scale:    br.interval(1, v[1]),
		Selected: sel, RMSE: rmse,
		Level: br.level, Resamples: len(br.reps), Failed: br.failed,
	}, nil
}

// kaplanStats turns the line log L = c + s log X into (alpha, X_c):
// alpha = -s and X_c = exp(c/alpha), NaN when alpha is not positive (the
// loss does not fall with X, and no X_c exists).
func kaplanStats(c, s float64) []float64 {
	alpha := -s
	xc := math.NaN()
	if alpha > 0 {
		xc = math.Exp(c / alpha)
	}
	return []float64{alpha, xc}
}
