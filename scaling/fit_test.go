package scaling

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// chinchillaPoints reads the 245 Chinchilla points from
// ../shared/data/chinchilla/points.csv beside the repository, or from
// $PLATEAU_CHINCHILLA, and skips the test when neither is there.
func chinchillaPoints(t testing.TB) []Point {
	t.Helper()
	path := os.Getenv("PLATEAU_CHINCHILLA")
	if path == "" {
		_, file, _, ok := runtime.Caller(0)
		if !ok {
			t.Skip("cannot locate the source file to find ../shared")
		}
		path = filepath.Join(filepath.Dir(file), "..", "..", "shared", "data", "chinchilla", "points.csv")
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("Chinchilla points not available: %v", err)
	}
	pts, err := ReadPoints(path)
	if err != nil {
		t.Fatal(err)
	}
	return pts
}

// dropHighestLosses returns the points without the k highest losses.
func dropHighestLosses(pts []Point, k int) []Point {
	s := append([]Point(nil), pts...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].Loss < s[j].Loss })
	return s[:len(s)-k]
}

// TestFitLawReproducesChinchillaReplication checks FitLaw against the two
// rows of ../shared/data/chinchilla/README.md (SciPy, same recipe).
func TestFitLawReproducesChinchillaReplication(t *testing.T) {
	pts := chinchillaPoints(t)
	if len(pts) != 245 {
		t.Fatalf("read %d Chinchilla points, want 245", len(pts))
	}
	for _, tc := range []struct {
		drop                        int
		a, b, e, alpha, beta, objec float64
	}{
		{0, 495.7, 12846, 1.8913, 0.3493, 0.4530, 0.0018260},
		{5, 477.8, 2143, 1.8172, 0.3473, 0.3672, 0.0010183},
	} {
		ps := dropHighestLosses(pts, tc.drop)
		start := time.Now()
		f, err := FitLaw(ps, FitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d points, %d starts, %v on %d procs: A=%.7g B=%.7g E=%.7g alpha=%.7g beta=%.7g objective=%.8g converged=%v (%s, %d iterations, gradient %.2g)",
			len(ps), f.Starts, time.Since(start).Round(time.Millisecond), runtime.GOMAXPROCS(0),
			f.Law.A, f.Law.B, f.Law.E, f.Law.Alpha, f.Law.Beta, f.Objective, f.Converged, f.Status, f.Iterations, f.GradNorm)
		if !f.Converged {
			t.Errorf("%d points: not converged: %s", len(ps), f.Message)
		}
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"A", f.Law.A, tc.a}, {"B", f.Law.B, tc.b}, {"E", f.Law.E, tc.e},
			{"alpha", f.Law.Alpha, tc.alpha}, {"beta", f.Law.Beta, tc.beta}, {"objective", f.Objective, tc.objec},
		} {
			if !sameSigFigs(c.got, c.want, 3) {
				t.Errorf("%d points: %s = %.6g, want %.5g to 3 significant figures", len(ps), c.name, c.got, c.want)
			}
		}
	}
}

// sameSigFigs reports whether a and b agree when rounded to n significant
// figures (or differ by less than half a unit in the n-th figure).
func sameSigFigs(a, b float64, n int) bool {
	unit := math.Pow(10, math.Floor(math.Log10(math.Abs(b)))-float64(n-1))
	return math.Abs(a-b) <= unit/2
}

// synthPoints draws losses from law on the grid ns x ds with multiplicative
// log-normal noise of standard deviation sigma (in log loss).
func synthPoints(law Law, ns, ds []float64, sigma float64, rng *rand.Rand) []Point {
	var pts []Point
	for _, n := range ns {
		for _, d := range ds {
			l := law.Loss(n, d) * math.Exp(sigma*rng.NormFloat64())
			pts = append(pts, Point{Params: n, Tokens: d, Loss: l})
		}
	}
	return pts
}

func logspace(lo, hi float64, n int) []float64 {
	out := linspace(math.Log(lo), math.Log(hi), n)
	for i := range out {
		out[i] = math.Exp(out[i])
	}
	return out
}

// synthLaw and its grid are the synthetic truth of the fitting tests:
// Chinchilla-like constants on 5 model sizes x 6 token counts where both
// terms matter.
var (
	synthLaw = Law{E: 1.7, A: 400, Alpha: 0.34, B: 2000, Beta: 0.37}
	synthNs  = logspace(1e6, 1e9, 5)
	synthDs  = logspace(1e8, 1e11, 6)
)

func TestFitLawRecoversConstantsAtLowNoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pts := synthPoints(synthLaw, synthNs, synthDs, 1e-4, rng)
	f, err := FitLaw(pts, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Converged {
		t.Fatalf("not converged: %s", f.Message)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"E", f.Law.E, synthLaw.E}, {"A", f.Law.A, synthLaw.A}, {"alpha", f.Law.Alpha, synthLaw.Alpha},
		{"B", f.Law.B, synthLaw.B}, {"beta", f.Law.Beta, synthLaw.Beta},
	} {
		if rel := math.Abs(c.got/c.want - 1); rel > 0.02 {
			t.Errorf("%s = %.5g, want %.5g (off by %.2g%%)", c.name, c.got, c.want, 100*rel)
		}
	}
	if f.RMSE > 3e-4 {
		t.Errorf("RMSE %.3g in log loss, want about the noise, 1e-4", f.RMSE)
	}
}

func TestFitLawPureRecoversPowerLaw(t *testing.T) {
	law := Law{A: 60, Alpha: 0.25, B: 300, Beta: 0.2}
	pts := synthPoints(law, synthNs, synthDs, 1e-4, rand.New(rand.NewPCG(3, 4)))
	f, err := FitLaw(pts, FitOptions{NoE: true})
	if err != nil {
		t.Fatal(err)
	}
	if f.Law.E != 0 || !f.NoE || !f.Converged {
		t.Fatalf("pure fit: E = %v, NoE %v, converged %v (%s)", f.Law.E, f.NoE, f.Converged, f.Message)
	}
	if f.Starts != ChinchillaGrid().Size(false) {
		t.Errorf("pure fit tried %d starts, want %d", f.Starts, ChinchillaGrid().Size(false))
	}
	for _, c := range [][2]float64{{f.Law.A, law.A}, {f.Law.Alpha, law.Alpha}, {f.Law.B, law.B}, {f.Law.Beta, law.Beta}} {
		if rel := math.Abs(c[0]/c[1] - 1); rel > 0.02 {
			t.Errorf("pure fit %+v, want %+v", f.Law, law)
			break
		}
	}
}

func TestFitLawRejectsPointsThatCannotDetermineIt(t *testing.T) {
	good := synthPoints(synthLaw, synthNs, synthDs, 0.01, rand.New(rand.NewPCG(5, 6)))
	oneN := synthPoints(synthLaw, synthNs[:1], synthDs, 0.01, rand.New(rand.NewPCG(5, 6)))
	oneD := synthPoints(synthLaw, logspace(1e6, 1e9, 7), synthDs[:1], 0.01, rand.New(rand.NewPCG(5, 6)))
	withBad := func(i int, mutate func(*Point)) []Point {
		ps := append([]Point(nil), good...)
		mutate(&ps[i])
		return ps
	}
	for _, tc := range []struct {
		name   string
		points []Point
		opt    FitOptions
		want   string
	}{
		{"too few", good[:5], FitOptions{}, "need at least 6 points for its 5 parameters, got 5"},
		{"too few pure", good[:4], FitOptions{NoE: true}, "need at least 5 points for its 4 parameters, got 4"},
		{"one N", oneN, FitOptions{}, "all 6 points have N = 1e+06, so A and alpha are not identifiable"},
		{"one D", oneD, FitOptions{}, "so B and beta are not identifiable"},
		{"NaN loss", withBad(3, func(p *Point) { p.Loss = math.NaN() }), FitOptions{}, "point 4: loss = NaN, want a positive finite number"},
		{"negative N", withBad(0, func(p *Point) { p.Params = -1; p.Run = "r0" }), FitOptions{}, `point 1 (run "r0"): params = -1`},
		{"infinite D", withBad(7, func(p *Point) { p.Tokens = math.Inf(1) }), FitOptions{}, "point 8: tokens = +Inf"},
		{"empty grid", good, FitOptions{Grid: &StartGrid{}}, "the start grid is empty"},
		{"bad delta", good, FitOptions{HuberDelta: -1}, "Huber delta -1, want a positive finite number"},
	} {
		_, err := FitLaw(tc.points, tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestFitLawReportsNonConvergence caps the iterations so the fit cannot
// converge and checks that it says so and still returns its best attempt.
func TestFitLawReportsNonConvergence(t *testing.T) {
	pts := synthPoints(synthLaw, synthNs, synthDs, 0.01, rand.New(rand.NewPCG(7, 8)))
	d, err := newLawData(pts, true)
	if err != nil {
		t.Fatal(err)
	}
	s := defaultSolver()
	s.maxIter = 2
	out := multiStart(fitProblem{model: d.model(), y: d.lnL, delta: DefaultHuberDelta}, refitGrid.starts(true), 1, s)
	if out.converged {
		t.Fatalf("converged in 2 iterations per run: the test cannot tell")
	}
	if !strings.Contains(out.message, "best attempt") || math.IsInf(out.best.f, 1) {
		t.Errorf("message %q, objective %v: want the best attempt and a message saying it did not converge", out.message, out.best.f)
	}
}

// TestObjectiveGradient compares the analytic gradient of every model with
// central finite differences.
func TestObjectiveGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	pts := synthPoints(synthLaw, synthNs, synthDs, 0.05, rng)
	d, _ := newLawData(pts, true)
	lnC := make([]float64, len(pts))
	for i, p := range pts {
		lnC[i] = math.Log(p.Compute()) - 45
	}
	for _, tc := range []struct {
		name  string
		model logModel
		theta []float64
		delta float64
	}{
		{"chinchilla huber", d.model(), []float64{6, 7.5, 0.3, 0.35, 0.5}, 1e-3},
		{"chinchilla least squares", d.model(), []float64{6, 7.5, 0.3, 0.35, 0.5}, math.Inf(1)},
		{"pure", powerSum{x: [][]float64{d.lnN, d.lnD}}, []float64{3, 4, 0.2, 0.25}, 1e-2},
		{"compute", powerSum{x: [][]float64{lnC}, withE: true}, []float64{0.1, 0.2, 0.4}, math.Inf(1)},
		{"extreme exponents", d.model(), []float64{800, 7.5, 0.01, 40, 0.5}, 1e-3},
		{"broken", brokenModel{x: lnC}, []float64{0.2, 0.1, 0.15, -0.5, -0.7, 0.3}, math.Inf(1)},
		{"broken negative c1", brokenModel{x: lnC}, []float64{0.4, 0.2, -0.1, 1, 0.2, 0.1}, 1e-2},
	} {
		y := make([]float64, len(pts))
		for i, p := range pts {
			y[i] = math.Log(p.Loss)
		}
		o := newObjective(tc.model, y, nil, tc.delta)
		g := make([]float64, len(tc.theta))
		o.gradient(g, tc.theta)
		for j := range tc.theta {
			h := 1e-6 * math.Max(1, math.Abs(tc.theta[j]))
			xp := append([]float64(nil), tc.theta...)
			xm := append([]float64(nil), tc.theta...)
			xp[j] += h
			xm[j] -= h
			num := (o.value(xp) - o.value(xm)) / (2 * h)
			if math.Abs(num-g[j]) > 1e-5*math.Max(1, math.Abs(num)) {
				t.Errorf("%s: d/dtheta[%d] analytic %.8g, numerical %.8g", tc.name, j, g[j], num)
			}
		}
	}
}

func TestLogSumExpStaysFinite(t *testing.T) {
	for _, tc := range [][]float64{{0, 0, 0}, {1000, 999, -5}, {-1000, -1001, -2000}, {710, 0}, {-800}} {
		w := make([]float64, len(tc))
		got := logSumExp(tc, w)
		mx := math.Inf(-1)
		for _, v := range tc {
			mx = math.Max(mx, v)
		}
		want := 0.0
		for _, v := range tc {
			want += math.Exp(v - mx)
		}
		want = mx + math.Log(want)
		sum := 0.0
		for _, v := range w {
			sum += v
		}
		if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) || math.Abs(sum-1) > 1e-12 {
			t.Errorf("logSumExp(%v) = %v (weights sum %v), want %v (weights sum 1)", tc, got, sum, want)
		}
	}
}
