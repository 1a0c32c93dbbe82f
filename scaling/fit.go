package scaling

import (
	"fmt"
	"math"
)

// StartGrid is the grid of L-BFGS starts for FitLaw, in the fitted
// parameterisation (LogA = log A, LogB = log B, LogE = log E). Every
// combination is a start; a local optimiser on this objective finds
// different minima from different starts, so the grid is part of the
// method.
type StartGrid struct {
	LogA  []float64 `json:"log_a"`
	LogB  []float64 `json:"log_b"`
	LogE  []float64 `json:"log_e"`
	Alpha []float64 `json:"alpha"`
	Beta  []float64 `json:"beta"`
}

// ChinchillaGrid is the grid of Hoffmann et al. 2022 and Besiroglu et al.
// 2024: alpha, beta in {0, 0.5, ..., 2}, log E in {-1, -0.5, ..., 1},
// log A, log B in {0, 5, ..., 25}: 4500 starts.
func ChinchillaGrid() StartGrid {
	return StartGrid{
		LogA:  linspace(0, 25, 6),
		LogB:  linspace(0, 25, 6),
		LogE:  linspace(-1, 1, 5),
		Alpha: linspace(0, 2, 5),
		Beta:  linspace(0, 2, 5),
	}
}

// Size is the number of starts the grid gives for a law with E (withE) or
// without.
func (g StartGrid) Size(withE bool) int {
	n := len(g.LogA) * len(g.LogB) * len(g.Alpha) * len(g.Beta)
	if withE {
		n *= len(g.LogE)
	}
	return n
}

// starts lists the grid's points as parameter vectors
// [log A, log B, alpha, beta, log E] (without log E when withE is false).
func (g StartGrid) starts(withE bool) [][]float64 {
	if withE {
		return product(g.LogA, g.LogB, g.Alpha, g.Beta, g.LogE)
	}
	return product(g.LogA, g.LogB, g.Alpha, g.Beta)
}

// DefaultHuberDelta is the Huber threshold of Chinchilla's Approach 3, in
// log loss: residuals beyond 0.1% count linearly, so a few outlying runs
// cannot pull the fit.
const DefaultHuberDelta = 1e-3

// FitOptions configure FitLaw. The zero value is Chinchilla's recipe.
type FitOptions struct {
	// HuberDelta is the Huber threshold on log-loss residuals; 0 means
	// DefaultHuberDelta. A threshold beyond every residual (such as 10)
	// makes the fit least squares.
	HuberDelta float64
	// Grid is the grid of starts; nil means ChinchillaGrid.
	Grid *StartGrid
	// NoE fits the pure power law L = A/N^alpha + B/D^beta (E fixed to 0).
	NoE bool
	// Workers is how many starts run at once; 0 means GOMAXPROCS.
	Workers int
}

func (o FitOptions) delta() float64 {
	if o.HuberDelta == 0 {
		return DefaultHuberDelta
	}
	return o.HuberDelta
}

// LawFit is a fitted Law with the evidence that the optimiser found it.
type LawFit struct {
	Law        Law       `json:"law"`
	NoE        bool      `json:"no_e,omitempty"`     // E was fixed to 0
	Objective  float64   `json:"objective"`          // sum of Huber losses of log-loss residuals at the fit
	HuberDelta float64   `json:"huber_delta"`        // the Huber threshold used
	Points     int       `json:"points"`             // points fitted
	Starts     int       `json:"starts"`             // L-BFGS starts tried
	Converged  bool      `json:"converged"`          // see Message when false
	Status     string    `json:"status"`             // how the last run from the best point stopped (gonum's status and error)
	Iterations int       `json:"iterations"`         // L-BFGS iterations of the best run, restarts included
	GradNorm   float64   `json:"grad_norm"`          // largest gradient component at the fit
	Message    string    `json:"message,omitempty"`  // why the fit is not converged, when it is not
	RMSE       float64   `json:"rmse_log_loss"`      // root mean square log-loss residual over the points
	Residuals  []float64 `json:"residuals_log_loss"` // log(observed) - log(predicted), point by point

	theta  []float64   // the fitted parameter vector
	minima [][]float64 // distinct local minima from the grid, best first
}

// minPointsFor is how many points a fit of k parameters needs: one more
// than its parameters, so that something is left to measure the fit by.
func minPointsFor(k int) int { return k + 1 }

// FitLaw fits L(N, D) = E + A/N^alpha + B/D^beta by Chinchilla's Approach
// 3: in the parameters a = log A, b = log B, e = log E, alpha, beta it
// predicts log L = logsumexp(a - alpha log N, b - beta log D, e) and
// minimises the sum over points of Huber(log L_pred - log L) by L-BFGS
// from every start of the grid, keeping the best. It returns an error
// when the points cannot determine the law (too few, one N or one D, bad
// values); a fit whose best start did not converge is returned with
// Converged false and a Message saying why.
func FitLaw(points []Point, opt FitOptions) (*LawFit, error) {
	if !positiveFinite(opt.delta()) {
		return nil, fmt.Errorf("fit L(N,D): Huber delta %v, want a positive finite number", opt.HuberDelta)
	}
	d, err := newLawData(points, !opt.NoE)
	if err != nil {
		return nil, err
	}
	grid := ChinchillaGrid()
	if opt.Grid != nil {
		grid = *opt.Grid
	}
	starts := grid.starts(!opt.NoE)
	if len(starts) == 0 {
		return nil, fmt.Errorf("fit L(N,D): the start grid is empty: each of its axes (log_a, log_b, alpha, beta and, with E, log_e) needs at least one value")
	}
	f := d.fit(starts, opt)
	if math.IsInf(f.Objective, 1) {
		return nil, fmt.Errorf("fit L(N,D): %s", f.Message)
	}
	for i, v := range lawStats(f.Law)[:5] {
		if !isFinite(v) {
			return nil, fmt.Errorf("fit L(N,D): the best fit has %s = %v (fitted parameter %v): the points do not determine the law", []string{"E", "A", "alpha", "B", "beta"}[i], v, f.theta)
		}
	}
	return f, nil
}

// lawData is the fit-ready form of a set of points: logs of N, D and L.
type lawData struct {
	lnN, lnD, lnL []float64
	withE         bool
}

func newLawData(points []Point, withE bool) (*lawData, error) {
	name := "L(N,D) = E + A/N^alpha + B/D^beta"
	k := 5
	if !withE {
		name = "L(N,D) = A/N^alpha + B/D^beta"
		k = 4
	}
	if err := validatePoints(points); err != nil {
		return nil, fmt.Errorf("fit %s: %w", name, err)
	}
	if need := minPointsFor(k); len(points) < need {
		return nil, fmt.Errorf("fit %s: need at least %d points for its %d parameters, got %d", name, need, k, len(points))
	}
	if err := checkVaries(points, "N", func(p Point) float64 { return p.Params }, "A and alpha"); err != nil {
		return nil, fmt.Errorf("fit %s: %w", name, err)
	}
	if err := checkVaries(points, "D", func(p Point) float64 { return p.Tokens }, "B and beta"); err != nil {
		return nil, fmt.Errorf("fit %s: %w", name, err)
	}
	d := &lawData{withE: withE}
	for _, p := range points {
		d.lnN = append(d.lnN, math.Log(p.Params))
		d.lnD = append(d.lnD, math.Log(p.Tokens))
		d.lnL = append(d.lnL, math.Log(p.Loss))
	}
	return d, nil
}

func (d *lawData) model() powerSum {
	return powerSum{x: [][]float64{d.lnN, d.lnD}, withE: d.withE}
}

// fit runs the multi-start fit on all points.
func (d *lawData) fit(starts [][]float64, opt FitOptions) *LawFit {
	p := fitProblem{model: d.model(), y: d.lnL, delta: opt.delta()}
	out := multiStart(p, starts, opt.Workers, defaultSolver())
	f := &LawFit{
		Law:        lawFromTheta(out.best.x, d.withE),
		NoE:        !d.withE,
		Objective:  out.best.f,
		HuberDelta: opt.delta(),
		Points:     len(d.lnL),
		Starts:     out.starts,
		Converged:  out.converged,
		Status:     out.how,
		Iterations: out.best.iters,
		GradNorm:   out.gradNorm,
		Message:    out.message,
		theta:      out.best.x,
		minima:     out.minima,
	}
	if !math.IsInf(out.best.f, 1) {
		o := newObjective(p.model, p.y, nil, p.delta)
		f.Residuals = make([]float64, len(d.lnL))
		o.residuals(out.best.x, f.Residuals)
		ss := 0.0
		for i, r := range f.Residuals {
			f.Residuals[i] = -r // observed minus predicted
			ss += r * r
		}
		f.RMSE = math.Sqrt(ss / float64(len(d.lnL)))
	}
	return f
}

// lawFromTheta converts [log A, log B, alpha, beta, log E] to a Law.
func lawFromTheta(x []float64, withE bool) Law {
	l := Law{A: math.Exp(x[0]), B: math.Exp(x[1]), Alpha: x[2], Beta: x[3]}
	if withE {
		l.E = math.Exp(x[4])
	}
	return l
}

func linspace(lo, hi float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		if n == 1 {
			out[i] = lo
			continue
		}
		out[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return out
}
