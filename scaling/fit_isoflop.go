package scaling

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// DefaultIsoFLOPTolerance is the relative spread of compute within which
// points count as one budget when IsoFLOPOptions.Tolerance is zero.
const DefaultIsoFLOPTolerance = 0.1

// IsoFLOPOptions configure FitIsoFLOP.
type IsoFLOPOptions struct {
	// Tolerance groups points by compute: sorted by compute, a profile
	// takes every point within a factor 1+Tolerance of its smallest. 0
	// means DefaultIsoFLOPTolerance.
	Tolerance float64
	// Budget, when set, gives each point's planned compute budget instead:
	// points with equal budgets form one profile.
	Budget    func(Point) float64
	Bootstrap BootstrapOptions
}

// IsoFLOPProfile is one budget's points with the parabola of loss against
// log N through them, loss = Coef[0] + Coef[1] ln N + Coef[2] (ln N)^2.
type IsoFLOPProfile struct {
	Compute   float64    `json:"compute"` // geometric mean compute of the profile's points
	Points    []int      `json:"points"`  // indices of its points in the input
	DistinctN int        `json:"distinct_n"`
	MinParams float64    `json:"min_params"`
	MaxParams float64    `json:"max_params"`
	Coef      [3]float64 `json:"coef"` // zero when fewer than 3 distinct N
	Usable    bool       `json:"usable"`
	Reason    string     `json:"reason,omitempty"` // why the profile is unusable
	NOpt      float64    `json:"n_opt,omitempty"`  // the parabola's minimum, when usable
	DOpt      float64    `json:"d_opt,omitempty"`  // C/(6 N_opt)
	LossOpt   float64    `json:"loss_opt,omitempty"`
}

// IsoFLOPFit is Chinchilla's Approach 2: one parabola per compute budget
// and the power laws N_opt = k C^a and D_opt = k' C^b through their
// minima. NOpt and DOpt are nil, with Note saying why, when fewer than
// two profiles are usable.
type IsoFLOPFit struct {
	Profiles  []IsoFLOPProfile `json:"profiles"`
	Usable    int              `json:"usable"`
	NOpt      *PowerLawFit     `json:"n_opt,omitempty"`
	DOpt      *PowerLawFit     `json:"d_opt,omitempty"`
	Note      string           `json:"note,omitempty"`
	Level     float64          `json:"level,omitempty"`
	Resamples int              `json:"resamples"`
	Failed    int              `json:"failed"` // resamples with fewer than two usable profiles
}

// minProfileN is how many distinct model sizes a parabola needs.
const minProfileN = 3

// minProfiles is how many usable profiles the N_opt(C) power law needs.
const minProfiles = 2

// groupByCompute returns the indices of each profile, by increasing
// compute.
func groupByCompute(points []Point, opt IsoFLOPOptions) [][]int {
	idx := make([]int, len(points))
	for i := range idx {
		idx[i] = i
	}
	key := func(i int) float64 { return points[i].Compute() }
	if opt.Budget != nil {
		key = func(i int) float64 { return opt.Budget(points[i]) }
	}
	sort.SliceStable(idx, func(a, b int) bool { return key(idx[a]) < key(idx[b]) })
	tol := opt.Tolerance
	if tol <= 0 {
		tol = DefaultIsoFLOPTolerance
	}
	var groups [][]int
	for _, i := range idx {
		g := len(groups) - 1
		if g >= 0 {
			first := key(groups[g][0])
			same := key(i) == first
			if opt.Budget == nil {
				same = key(i) <= first*(1+tol)
			}
			if same {
				groups[g] = append(groups[g], i)
				continue
			}
		}
		groups = append(groups, []int{i})
	}
	return groups
}

// profileFit fits the parabola of loss against ln N to the members of
// weight > 0 (w indexed by point; nil: one each) and locates its minimum.
// The minimum counts only when the parabola opens upward and it lies
// within the sampled range of ln N widened by half the mean spacing of
// the sampled sizes on each side: further out the minimum is an
// extrapolation of a quadratic, not a measurement.
func profileFit(points []Point, members []int, w []float64) (p IsoFLOPProfile) {
	var lnC float64
	var xs, ys, ws []float64
	seen := map[float64]bool{}
	p.MinParams, p.MaxParams = math.Inf(1), math.Inf(-1)
	for _, i := range members {
		lnC += math.Log(points[i].Compute()) / float64(len(members))
	}
	p.Compute = math.Exp(lnC)
	for _, i := range members {
		wi := weightAt(w, i)
		if wi == 0 {
			continue
		}
		pt := points[i]
		xs = append(xs, math.Log(pt.Params))
		ys = append(ys, pt.Loss)
		ws = append(ws, wi)
		seen[pt.Params] = true
		p.MinParams = math.Min(p.MinParams, pt.Params)
		p.MaxParams = math.Max(p.MaxParams, pt.Params)
		p.Points = append(p.Points, i)
	}
	p.DistinctN = len(seen)
	if p.DistinctN < minProfileN {
		p.Reason = fmt.Sprintf("%d distinct model sizes, a parabola needs at least %d", p.DistinctN, minProfileN)
		return p
	}
	// Fit in u = ln N - mean for conditioning, then expand to ln N.
	mean := 0.0
	for _, x := range xs {
		mean += x / float64(len(xs))
	}
	a := mat.NewDense(len(xs), 3, nil)
	b := mat.NewVecDense(len(xs), nil)
	for r, x := range xs {
		s := math.Sqrt(ws[r])
		u := x - mean
		a.Set(r, 0, s)
		a.Set(r, 1, s*u)
		a.Set(r, 2, s*u*u)
		b.SetVec(r, s*ys[r])
	}
	var c mat.VecDense
	if err := c.SolveVec(a, b); err != nil {
		p.Reason = fmt.Sprintf("the parabola fit failed: %v", err)
		return p
	}
	k0, k1, k2 := c.AtVec(0), c.AtVec(1), c.AtVec(2)
	p.Coef = [3]float64{k0 - k1*mean + k2*mean*mean, k1 - 2*k2*mean, k2}
	if !(k2 > 0) {
		p.Reason = fmt.Sprintf("the parabola opens downward (curvature %.3g): no minimum in N at this budget", k2)
		return p
	}
	uOpt := -k1 / (2 * k2)
	lo, hi := math.Log(p.MinParams)-mean, math.Log(p.MaxParams)-mean
	margin := (hi - lo) / float64(p.DistinctN-1) / 2
	if uOpt < lo-margin || uOpt > hi+margin {
		p.Reason = fmt.Sprintf("the parabola's minimum, N = %.3g, lies outside the sampled sizes %.3g to %.3g: the budget needs models on the other side of its optimum",
			math.Exp(uOpt+mean), p.MinParams, p.MaxParams)
		return p
	}
	p.Usable = true
	p.NOpt = math.Exp(uOpt + mean)
	p.DOpt = p.Compute / (6 * p.NOpt)
	p.LossOpt = k0 + k1*uOpt + k2*uOpt*uOpt
	return p
}

// isoFLOPLines fits N_opt and D_opt against compute over usable profiles.
func isoFLOPLines(profiles []IsoFLOPProfile) (vals [6]float64, usable int, ok bool) {
	var c, n, d []float64
	for _, p := range profiles {
		if p.Usable {
			c, n, d = append(c, p.Compute), append(n, p.NOpt), append(d, p.DOpt)
		}
	}
	if len(c) < minProfiles {
		return vals, len(c), false
	}
	nc, ns, nr, ok1 := logLine(c, n, nil)
	dc, ds, dr, ok2 := logLine(c, d, nil)
	return [6]float64{nc, ns, nr, dc, ds, dr}, len(c), ok1 && ok2
}

// FitIsoFLOP is Chinchilla's Approach 2. It groups the points into
// compute budgets (see IsoFLOPOptions), fits a parabola of loss against
// ln N to every budget with at least three distinct model sizes, takes
// the minimum of each usable one (see profileFit), and fits
// N_opt ∝ C^a and D_opt ∝ C^b through the minima by least squares in log
// space. Intervals come from resampling points within each budget. It
// fails only on bad points or when no budget has three model sizes.
func FitIsoFLOP(points []Point, opt IsoFLOPOptions) (*IsoFLOPFit, error) {
	if err := validatePoints(points); err != nil {
		return nil, fmt.Errorf("fit Approach 2: %w", err)
	}
	if opt.Budget != nil {
		for i, p := range points {
			if b := opt.Budget(p); !positiveFinite(b) {
				return nil, fmt.Errorf("fit Approach 2: point %d%s: budget = %v, want a positive finite number of FLOPs", i+1, runLabel(p), b)
			}
		}
	}
	groups := groupByCompute(points, opt)
	fit := &IsoFLOPFit{}
	for _, g := range groups {
		p := profileFit(points, g, nil)
		if p.Usable {
			fit.Usable++
		}
		fit.Profiles = append(fit.Profiles, p)
	}
	fitted := 0
	for _, p := range fit.Profiles {
		if p.DistinctN >= minProfileN {
			fitted++
		}
	}
	if fitted == 0 {
		return nil, fmt.Errorf("fit Approach 2: none of the %d compute budgets has %d distinct model sizes, so no IsoFLOP parabola can be fitted: plan at least %d model sizes per budget", len(groups), minProfileN, minProfileN)
	}
	vals, usable, ok := isoFLOPLines(fit.Profiles)
	if !ok {
		fit.Note = fmt.Sprintf("%d usable IsoFLOP profile(s), N_opt(C) needs at least %d", usable, minProfiles)
		return fit, nil
	}
	// Resample within each budget, so every resample keeps the design.
	br := runBootstrap(len(points), groups, opt.Bootstrap, func(w []float64, _ *rand.Rand) ([]float64, bool) {
		ps := make([]IsoFLOPProfile, len(groups))
		for i, g := range groups {
			ps[i] = profileFit(points, g, w)
		}
		v, _, ok := isoFLOPLines(ps)
		return []float64{v[0], v[1], v[3], v[4]}, ok
	})
	n := powerLawFit(vals[0], vals[1], vals[2], usable, br, 0)
	d := powerLawFit(vals[3], vals[4], vals[5], usable, br, 2)
	fit.NOpt, fit.DOpt = &n, &d
	fit.Level, fit.Resamples, fit.Failed = br.level, len(br.reps), br.failed
	if usable == minProfiles {
		fit.Note = fmt.Sprintf("N_opt(C) rests on only %d profiles: its exponent has no residual to check it by", usable)
	}
	return fit, nil
}
