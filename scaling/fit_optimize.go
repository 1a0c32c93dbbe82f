package scaling

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
)

// solverSettings are the stopping rules of one L-BFGS run. With the
// Huber threshold at 1e-3 the objective is nearly a sum of absolute
// values: its Hessian jumps wherever a residual crosses ±delta, so L-BFGS
// often ends in a line-search failure next to the minimum rather than on
// a small gradient. Every run therefore records why it stopped, and the
// best one is restarted (see multiStart) before it is called converged.
type solverSettings struct {
	gradTol float64 // stop when the gradient's largest component is below this
	funcTol float64 // a decrease below funcTol*max(|f|, 1) counts as no decrease
	stall   int     // stop after this many iterations without a decrease
	maxIter int     // stop after this many iterations (not converged)
}

// defaultSolver are the stopping rules for every fit in this package:
// SciPy's L-BFGS-B defaults, which the Chinchilla replication used (stop
// when the gradient's largest component is below 1e-5 or one iteration
// lowers the objective by less than 2.2e-9 max(|f|, 1); memory 10), and
// an iteration cap far above what converging runs need. The first rule
// lets many starts stop short of their minimum, which is cheap on a grid
// of thousands; multiStart finishes the best few.
func defaultSolver() solverSettings {
	return solverSettings{gradTol: 1e-5, funcTol: 2.2e-9, stall: 1, maxIter: 2000}
}

// attempt is where one L-BFGS run from one start ended.
type attempt struct {
	start  int // index of the start it ran from
	x      []float64
	f      float64
	status optimize.Status
	iters  int
	evals  int
	err    error // why the solver stopped abnormally, if it did
}

// stopped reports whether the run stopped by one of its convergence
// tests rather than an iteration cap or a failure. A line search that
// can make no more progress counts as a stop, not a failure: on this
// nearly piecewise-linear objective it is how L-BFGS often ends at a
// minimum; multiStart checks such ends by restarting.
func (a attempt) stopped() bool {
	switch a.status {
	case optimize.GradientThreshold, optimize.FunctionConvergence, optimize.StepConvergence,
		optimize.MethodConverge, optimize.Success:
		return true
	case optimize.Failure:
		return a.err == optimize.ErrLinesearcherFailure || a.err == optimize.ErrNoProgress
	}
	return false
}

// how says how the run ended: gonum's status, and the error behind it.
func (a attempt) how() string {
	if a.err != nil {
		return fmt.Sprintf("%s (%v)", a.status, a.err)
	}
	return a.status.String()
}

// solve runs L-BFGS on o from x0: gonum's LBFGS direction (memory 10)
// and Moré-Thuente line search, driven by gonum's LinesearchMethod on the
// calling goroutine. (optimize.Minimize would run the same method but
// hands every evaluation between goroutines, which costs more than the
// objective on a few dozen points.) The stopping rules are gonum's
// GradientThreshold, FunctionConverge and an iteration cap, checked at
// every major iteration as Minimize does. solve never panics: a panic
// inside gonum becomes a failed attempt.
func solve(o *objective, x0 []float64, s solverSettings) (a attempt) {
	dim := len(x0)
	loc := &optimize.Location{X: append([]float64(nil), x0...), Gradient: make([]float64, dim)}
	a = attempt{x: append([]float64(nil), x0...), f: math.Inf(1), status: optimize.NotTerminated}
	defer func() {
		if r := recover(); r != nil {
			a.status, a.err = optimize.Failure, fmt.Errorf("solver stopped on an internal error: %v", r)
		}
	}()
	evaluate := func(op optimize.Operation) {
		if op&optimize.FuncEvaluation != 0 {
			loc.F = o.value(loc.X)
			a.evals++
		}
		if op&optimize.GradEvaluation != 0 {
			o.gradient(loc.Gradient, loc.X)
		}
	}
	evaluate(optimize.FuncEvaluation | optimize.GradEvaluation)
	if !isFinite(loc.F) {
		a.status, a.err = optimize.Failure, fmt.Errorf("the objective is %v at the start", loc.F)
		return a
	}
	conv := &optimize.FunctionConverge{Absolute: s.funcTol, Relative: s.funcTol, Iterations: s.stall}
	conv.Init(dim)
	// major records an iterate and returns the status it ends the run with.
	major := func() optimize.Status {
		if loc.F < a.f {
			a.f = loc.F
			copy(a.x, loc.X)
		}
		if floats.Norm(loc.Gradient, math.Inf(1)) < s.gradTol {
			return optimize.GradientThreshold
		}
		if st := conv.Converged(loc); st != optimize.NotTerminated {
			return st
		}
		if a.iters >= s.maxIter {
			return optimize.IterationLimit
		}
		return optimize.NotTerminated
	}
	if a.status = major(); a.status != optimize.NotTerminated {
		return a
	}
	ls := &optimize.LinesearchMethod{
		NextDirectioner: &optimize.LBFGS{Store: 10},
		Linesearcher:    &optimize.MoreThuente{},
	}
	op, err := ls.Init(loc)
	for err == nil {
		if op == optimize.MajorIteration {
			a.iters++
			if a.status = major(); a.status != optimize.NotTerminated {
				return a
			}
		} else {
			evaluate(op)
		}
		op, err = ls.Iterate(loc)
	}
	a.status, a.err = optimize.Failure, err
	return a
}

// fitProblem is one robust fit: a model, the observed log losses, row
// weights (nil for one each) and the Huber threshold.
type fitProblem struct {
	model logModel
	y     []float64
	w     []float64
	delta float64
}

// fitOutcome is the result of multiStart: the best attempt after the
// restart check, the distinct local minima the starts found (best first,
// for warm-starting bootstrap refits), and a convergence report.
type fitOutcome struct {
	best      attempt
	how       string // how the last run from the best point ended
	minima    [][]float64
	starts    int
	converged bool
	gradNorm  float64
	message   string
}

// restartTol is the relative decrease of the objective below which a
// restart from the best attempt counts as confirming it (a decrease
// below the solver's own absolute tolerance also does: on a small
// objective a restart can crawl along a flat valley by amounts that far).
const restartTol = 1e-6

// maxRestarts bounds the restart check.
const maxRestarts = 5

// warmStarts is how many distinct local minima a fit keeps as starts
// for its bootstrap refits.
const warmStarts = 8

// polishCount is how many of the best distinct end points multiStart
// restarts before the restart check: a start that stopped early in the
// global minimum's basin may end above a neighbouring local minimum.
const polishCount = 4

// multiStart runs solve from every start on up to workers goroutines
// (GOMAXPROCS when workers <= 0), restarts L-BFGS from the best
// polishCount distinct end points, keeps the lowest objective, and checks
// it: L-BFGS is restarted from the best point with a fresh memory until a
// restart no longer lowers the objective by more than restartTol
// (relative). The fit is reported converged when that happens and the
// last run stopped by a convergence test; otherwise the best attempt is
// returned with converged false and a message saying why.
func multiStart(p fitProblem, starts [][]float64, workers int, s solverSettings) fitOutcome {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > len(starts) {
		workers = len(starts)
	}
	results := make([]attempt, len(starts))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			o := newObjective(p.model, p.y, p.w, p.delta)
			for i := w; i < len(starts); i += workers {
				results[i] = solve(o, starts[i], s)
				results[i].start = i
			}
		}(w)
	}
	wg.Wait()

	sort.SliceStable(results, func(i, j int) bool { return results[i].f < results[j].f })
	out := fitOutcome{starts: len(starts), best: results[0], minima: distinctMinima(results, warmStarts)}
	if math.IsInf(out.best.f, 1) {
		out.message = fmt.Sprintf("none of the %d starts gave a finite objective", len(starts))
		if out.best.err != nil {
			out.message += ": " + out.best.err.Error()
		}
		return out
	}

	o := newObjective(p.model, p.y, p.w, p.delta)
	for _, i := range distinctEnds(results, polishCount)[1:] { // the best gets the restart check below
		if a := solve(o, results[i].x, s); a.f < out.best.f {
			a.start = results[i].start
			a.iters += results[i].iters
			out.best = a
		}
	}
	confirmed := false
	last := out.best
	for r := 0; r < maxRestarts && !confirmed; r++ {
		next := solve(o, out.best.x, s)
		next.start = out.best.start
		drop := out.best.f - next.f
		if next.f < out.best.f {
			next.iters += out.best.iters
			out.best = next
		}
		last = next
		confirmed = drop <= math.Max(restartTol*math.Abs(out.best.f), s.funcTol)
	}
	grad := make([]float64, len(out.best.x))
	o.gradient(grad, out.best.x)
	out.gradNorm = floats.Norm(grad, math.Inf(1))
	out.converged = confirmed && last.stopped()
	out.how = last.how()
	switch {
	case !confirmed:
		out.message = fmt.Sprintf("restarting L-BFGS from the best of %d starts still lowered the objective after %d restarts (now %.6g, gradient norm %.3g): the reported values are the best attempt, not a converged minimum",
			len(starts), maxRestarts, out.best.f, out.gradNorm)
	case !last.stopped():
		out.message = fmt.Sprintf("the best of %d starts stopped with %s after %d iterations (objective %.6g, gradient norm %.3g): the reported values are the best attempt, not a converged minimum",
			len(starts), last.how(), out.best.iters, out.best.f, out.gradNorm)
	}
	return out
}

// distinctMinima returns up to k end points of sorted attempts that
// differ from every better one by more than 1e-3 in some coordinate, best
// first.
func distinctMinima(sorted []attempt, k int) [][]float64 {
	var out [][]float64
	for _, i := range distinctEnds(sorted, k) {
		out = append(out, sorted[i].x)
	}
	return out
}

// distinctEnds is distinctMinima as indices into sorted.
func distinctEnds(sorted []attempt, k int) []int {
	var out []int
	for i, a := range sorted {
		if math.IsInf(a.f, 1) || len(out) == k {
			break
		}
		dup := false
		for _, j := range out {
			if floats.Distance(sorted[j].x, a.x, math.Inf(1)) <= 1e-3 {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, i)
		}
	}
	return out
}
