package scaling

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// DefaultBinsPerDecade is the compute resolution of Approach 1's frontier
// when FrontierOptions.BinsPerDecade is zero.
const DefaultBinsPerDecade = 5

// FrontierOptions configure FitFrontier.
type FrontierOptions struct {
	// BinsPerDecade is how many log-spaced compute bins cover each factor
	// of ten; 0 means DefaultBinsPerDecade.
	BinsPerDecade float64
	// MinCompute and MaxCompute, when positive, restrict the frontier to
	// a compute window: where the sweep's smallest or largest model is
	// the best available the frontier follows that model, not N_opt.
	MinCompute, MaxCompute float64
	Bootstrap              BootstrapOptions
}

// FrontierPoint is one point of the loss-compute frontier: the lowest
// loss any run reached within one compute bin, and where.
type FrontierPoint struct {
	Run     string  `json:"run,omitempty"`
	Compute float64 `json:"compute"`
	Params  float64 `json:"params"`
	Tokens  float64 `json:"tokens"`
	Loss    float64 `json:"loss"`
}

// FrontierFit is Chinchilla's Approach 1: the lower envelope of loss
// against compute, and the power laws N_opt = k C^a and D_opt = k' C^b
// fitted to the N and D of the runs on it.
type FrontierFit struct {
	Points     []FrontierPoint `json:"points"`         // the frontier, by increasing compute
	Candidates int             `json:"candidates"`     // (run, token count) pairs considered
	Runs       int             `json:"runs"`           // runs they came from (the bootstrap's units)
	NOpt       PowerLawFit     `json:"n_opt"`          // N_opt(C); its Exponent is a
	DOpt       PowerLawFit     `json:"d_opt"`          // D_opt(C); its Exponent is b
	EdgePoints int             `json:"edge_points"`    // frontier points from the smallest or largest model size
	Note       string          `json:"note,omitempty"` // a caution about edge points, when there are some
	Level      float64         `json:"level"`
	Resamples  int             `json:"resamples"`
	Failed     int             `json:"failed"` // resamples whose frontier could not be fitted
}

// frontierData holds every candidate with its run and its compute bin.
type frontierData struct {
	cands      []frontierCand
	runs       int
	bins       int
	minN, maxN float64 // the smallest and largest model sizes among the candidates
}

type frontierCand struct {
	FrontierPoint
	run int // index of the run (bootstrap unit)
	bin int
}

// newFrontierData gathers candidates from the points' final losses and
// the curves' intermediate losses (at C = 6 N tokens), one run per Run
// name (a point without a name is a run of its own), and assigns them to
// log-spaced compute bins. Curve entries without a positive finite token
// count and loss (such as the loss before the first step) are skipped.
func newFrontierData(points []Point, curves []Curve, opt FrontierOptions) (*frontierData, error) {
	if err := validatePoints(points); err != nil {
		return nil, fmt.Errorf("frontier: %w", err)
	}
	runIndex := map[string]int{}
	d := &frontierData{}
	unit := func(name string) int {
		if name == "" {
			d.runs++
			return d.runs - 1
		}
		if i, ok := runIndex[name]; ok {
			return i
		}
		runIndex[name] = d.runs
		d.runs++
		return d.runs - 1
	}
	inWindow := func(c float64) bool {
		return (opt.MinCompute <= 0 || c >= opt.MinCompute) && (opt.MaxCompute <= 0 || c <= opt.MaxCompute)
	}
	for _, p := range points {
		u := unit(p.Run)
		if inWindow(p.Compute()) {
			d.cands = append(d.cands, frontierCand{FrontierPoint: FrontierPoint{Run: p.Run, Compute: p.Compute(), Params: p.Params, Tokens: p.Tokens, Loss: p.Loss}, run: u})
		}
	}
	for ci, c := range curves {
		if !positiveFinite(c.Params) {
			return nil, fmt.Errorf("frontier: curve %d (run %q): params = %v, want a positive finite number", ci+1, c.Run, c.Params)
		}
		if len(c.Tokens) != len(c.Loss) {
			return nil, fmt.Errorf("frontier: curve %d (run %q): %d token counts but %d losses, want one loss per token count", ci+1, c.Run, len(c.Tokens), len(c.Loss))
		}
		u := unit(c.Run)
		for j, t := range c.Tokens {
			if !positiveFinite(t) || !positiveFinite(c.Loss[j]) || !inWindow(6*c.Params*t) {
				continue
			}
			d.cands = append(d.cands, frontierCand{FrontierPoint: FrontierPoint{Run: c.Run, Compute: 6 * c.Params * t, Params: c.Params, Tokens: t, Loss: c.Loss[j]}, run: u})
		}
	}
	if len(d.cands) == 0 {
		return nil, fmt.Errorf("frontier: no points or curve entries to build it from%s", map[bool]string{true: " within the compute window", false: ""}[opt.MinCompute > 0 || opt.MaxCompute > 0])
	}
	binsPerDecade := opt.BinsPerDecade
	if binsPerDecade <= 0 {
		binsPerDecade = DefaultBinsPerDecade
	}
	d.minN, d.maxN = math.Inf(1), math.Inf(-1)
	for _, c := range d.cands {
		d.minN = math.Min(d.minN, c.Params)
		d.maxN = math.Max(d.maxN, c.Params)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range d.cands {
		lo = math.Min(lo, math.Log(c.Compute))
		hi = math.Max(hi, math.Log(c.Compute))
	}
	d.bins = int(math.Ceil((hi - lo) / math.Ln10 * binsPerDecade))
	if d.bins < 1 {
		d.bins = 1
	}
	for i := range d.cands {
		b := 0
		if hi > lo {
			b = int((math.Log(d.cands[i].Compute) - lo) / (hi - lo) * float64(d.bins))
		}
		d.cands[i].bin = min(b, d.bins-1)
	}
	return d, nil
}

// frontier is the lower envelope among the runs of positive weight (w
// nil: all runs): the lowest-loss candidate of each bin, kept only when
// its loss is below that of every point kept at lower compute (a point a
// cheaper run beats is not on the envelope).
func (d *frontierData) frontier(w []float64) []FrontierPoint {
	best := make([]int, d.bins)
	for i := range best {
		best[i] = -1
	}
	for i, c := range d.cands {
		if weightAt(w, c.run) == 0 {
			continue
		}
		if b := best[c.bin]; b < 0 || c.Loss < d.cands[b].Loss {
			best[c.bin] = i
		}
	}
	var out []FrontierPoint
	low := math.Inf(1)
	for _, b := range best {
		if b < 0 || d.cands[b].Loss >= low {
			continue
		}
		low = d.cands[b].Loss
		out = append(out, d.cands[b].FrontierPoint)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Compute < out[j].Compute })
	return out
}

// minFrontierPoints is how many frontier points Approach 1 needs: three,
// so that a line through them in log space has a residual to show.
const minFrontierPoints = 3

// frontierLines fits log N and log D against log C on a frontier.
func frontierLines(f []FrontierPoint) (nc, ns, nrmse, dc, ds, drmse float64, err error) {
	if len(f) < minFrontierPoints {
		return 0, 0, 0, 0, 0, 0, fmt.Errorf("need at least %d frontier points, got %d", minFrontierPoints, len(f))
	}
	c, n, dd := make([]float64, len(f)), make([]float64, len(f)), make([]float64, len(f))
	for i, p := range f {
		c[i], n[i], dd[i] = p.Compute, p.Params, p.Tokens
	}
	var ok1, ok2 bool
	nc, ns, nrmse, ok1 = logLine(c, n, nil)
	dc, ds, drmse, ok2 = logLine(c, dd, nil)
	if !ok1 || !ok2 {
		return 0, 0, 0, 0, 0, 0, fmt.Errorf("the %d frontier points span a single compute value", len(f))
	}
	if distinctWeighted(n, ones(len(n))) < 2 {
		return 0, 0, 0, 0, 0, 0, fmt.Errorf("all %d frontier points come from models of N = %.4g, so N_opt(C) is not identifiable: the sweep needs more model sizes near the frontier", len(f), n[0])
	}
	return nc, ns, nrmse, dc, ds, drmse, nil
}

// FitFrontier is Chinchilla's Approach 1. It takes every run's final
// point and, when given, its loss curve (held-out loss at intermediate
// token counts, at compute C = 6 N tokens); for each log-spaced compute
// bin it keeps the lowest loss and the N and D that reached it, drops
// points that a cheaper run beats (so the frontier is the lower
// envelope), and fits N_opt ∝ C^a and D_opt ∝ C^b by least squares in
// log space. Intervals come from resampling whole runs with replacement.
func FitFrontier(points []Point, curves []Curve, opt FrontierOptions) (*FrontierFit, error) {
	d, err := newFrontierData(points, curves, opt)
	if err != nil {
		return nil, fmt.Errorf("fit Approach 1: %w", err)
	}
	f := d.frontier(nil)
	nc, ns, nr, dc, ds, dr, err := frontierLines(f)
	if err != nil {
		return nil, fmt.Errorf("fit Approach 1: %w", err)
	}
	br := runBootstrap(d.runs, nil, opt.Bootstrap, func(w []float64, _ *rand.Rand) ([]float64, bool) {
		nc, ns, _, dc, ds, _, err := frontierLines(d.frontier(w))
		return []float64{nc, ns, dc, ds}, err == nil
	})
	fit := &FrontierFit{
		Points: f, Candidates: len(d.cands), Runs: d.runs,
		NOpt:  powerLawFit(nc, ns, nr, len(f), br, 0),
		DOpt:  powerLawFit(dc, ds, dr, len(f), br, 2),
		Level: br.level, Resamples: len(br.reps), Failed: br.failed,
	}
	for _, p := range f {
		if p.Params == d.minN || p.Params == d.maxN {
			fit.EdgePoints++
		}
	}
	if fit.EdgePoints > 0 {
		fit.Note = fmt.Sprintf("%d of %d frontier points come from the smallest or largest model size (N = %.3g or %.3g), where the optimum may lie outside the sweep: they pull the exponent a towards 0; FrontierOptions' compute window can leave them out",
			fit.EdgePoints, len(f), d.minN, d.maxN)
	}
	return fit, nil
}
