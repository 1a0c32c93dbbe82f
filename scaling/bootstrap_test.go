package scaling

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// coverageGrid is a coarse start grid for the synthetic coverage checks:
// the synthetic law's minimum is easy to find, and 4500 starts per draw
// would make the repeated draws slow.
var coverageGrid = StartGrid{
	LogA: []float64{0, 5, 10}, LogB: []float64{0, 5, 10}, LogE: []float64{0, 1},
	Alpha: []float64{0.2, 0.5}, Beta: []float64{0.2, 0.5},
}

// lawCoverage draws synthetic point sets from synthLaw with log-normal
// noise sigma, fits each with bootstrap intervals, and counts for every
// constant how many intervals contain the true value.
func lawCoverage(tb testing.TB, draws, resamples int, sigma float64, seed uint64) (hits map[string]int, fitted int) {
	tb.Helper()
	hits = map[string]int{}
	ta, tbb := synthLaw.AllocationExponents()
	for r := 0; r < draws; r++ {
		pts := synthPoints(synthLaw, synthNs, synthDs, sigma, rand.New(rand.NewPCG(seed, uint64(r))))
		f, err := FitLaw(pts, FitOptions{Grid: &coverageGrid})
		if err != nil {
			tb.Fatal(err)
		}
		if !f.Converged {
			continue
		}
		iv, err := BootstrapLaw(pts, f, BootstrapOptions{Resamples: resamples, Seed: uint64(r)})
		if err != nil {
			tb.Fatal(err)
		}
		fitted++
		for name, c := range map[string]struct {
			iv    Interval
			truth float64
		}{
			"E": {iv.E, synthLaw.E}, "A": {iv.A, synthLaw.A}, "alpha": {iv.Alpha, synthLaw.Alpha},
			"B": {iv.B, synthLaw.B}, "beta": {iv.Beta, synthLaw.Beta}, "a": {iv.NExponent, ta}, "b": {iv.DExponent, tbb},
		} {
			if c.iv.Contains(c.truth) {
				hits[name]++
			}
		}
	}
	return hits, fitted
}

// TestBootstrapLawCoversTruth is the fast coverage check: 95% intervals
// from 60 resamples on 16 synthetic draws must contain the true constants
// in most draws. (With 16 draws at a true 95%, 12 or fewer hits has
// probability below 0.01.) BenchmarkBootstrapLawCoverage measures the
// rate on more draws.
func TestBootstrapLawCoversTruth(t *testing.T) {
	const draws = 16
	hits, fitted := lawCoverage(t, draws, 60, 0.02, 42)
	if fitted < draws-1 {
		t.Fatalf("only %d of %d synthetic fits converged", fitted, draws)
	}
	for _, name := range []string{"E", "A", "alpha", "B", "beta", "a", "b"} {
		t.Logf("%s: %d of %d intervals contain the truth", name, hits[name], fitted)
		if hits[name] < fitted-3 {
			t.Errorf("%s: %d of %d intervals contain the true value, want at least %d", name, hits[name], fitted, fitted-3)
		}
	}
}

// BenchmarkBootstrapLawCoverage reports the coverage of 95% intervals
// (200 resamples) over 100 synthetic draws as metrics:
// go test ./scaling -run XXX -bench BootstrapLawCoverage -benchtime 1x
func BenchmarkBootstrapLawCoverage(b *testing.B) {
	for i := 0; i < b.N; i++ {
		hits, fitted := lawCoverage(b, 100, 200, 0.02, 7)
		for name, h := range hits {
			b.ReportMetric(float64(h)/float64(fitted), "coverage-"+name)
		}
	}
}

func TestBootstrapIsDeterministicForASeed(t *testing.T) {
	pts := synthPoints(synthLaw, synthNs, synthDs, 0.02, rand.New(rand.NewPCG(1, 1)))
	f, err := FitLaw(pts, FitOptions{Grid: &coverageGrid})
	if err != nil {
		t.Fatal(err)
	}
	run := func(seed uint64, workers int) *LawIntervals {
		iv, err := BootstrapLaw(pts, f, BootstrapOptions{Resamples: 20, Seed: seed, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		return iv
	}
	a, b, c := run(5, 1), run(5, 3), run(6, 2)
	if *a != *b {
		t.Errorf("seed 5 gave different intervals with 1 and 3 workers:\n%+v\n%+v", a, b)
	}
	if *a == *c {
		t.Errorf("seeds 5 and 6 gave the same intervals: the seed is not used")
	}
	if a.Resamples+a.Failed != 20 {
		t.Errorf("%d fitted + %d failed resamples, want 20 in all", a.Resamples, a.Failed)
	}
}

func TestQuantileSorted(t *testing.T) {
	s := []float64{1, 2, 3, 4, 5}
	for _, tc := range []struct{ q, want float64 }{{0, 1}, {1, 5}, {0.5, 3}, {0.25, 2}, {0.1, 1.4}, {0.975, 4.9}} {
		if got := quantileSorted(s, tc.q); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("quantile %v = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestIntervalJSONLeavesOutNonFinite(t *testing.T) {
	for _, tc := range []struct {
		iv   Interval
		want string
	}{
		{Interval{1.5, 1, 2}, `{"value":1.5,"lo":1,"hi":2}`},
		{Interval{1.5, math.NaN(), math.Inf(1)}, `{"value":1.5}`},
		{Interval{math.NaN(), math.NaN(), math.NaN()}, `{}`},
	} {
		b, err := json.Marshal(tc.iv)
		if err != nil || string(b) != tc.want {
			t.Errorf("marshal %v: %s, %v; want %s", tc.iv, b, err, tc.want)
			continue
		}
		var back Interval
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		same := func(x, y float64) bool {
			return x == y || (math.IsNaN(y) && (math.IsNaN(x) || math.IsInf(y, 0))) || (math.IsInf(y, 0) && math.IsNaN(x))
		}
		if !same(back.Value, tc.iv.Value) || !same(back.Lo, tc.iv.Lo) || !same(back.Hi, tc.iv.Hi) {
			t.Errorf("round trip of %v gave %v", tc.iv, back)
		}
	}
}

// TestBootstrapLawChinchilla puts intervals on the fit to the 240
// Chinchilla points and checks that they contain the replication's
// published estimates (Besiroglu et al. 2024: A = 482.01, B = 2085.43,
// E = 1.8172, alpha = 0.3478, beta = 0.3658). Skipped with -short.
func TestBootstrapLawChinchilla(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: a 4500-start fit and 100 refits on 240 points")
	}
	pts := dropHighestLosses(chinchillaPoints(t), 5)
	f, err := FitLaw(pts, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	iv, err := BootstrapLaw(pts, f, BootstrapOptions{Resamples: 100, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("100 resamples in %v: E %v, A %v, alpha %v, B %v, beta %v, a %v, b %v (%d failed)",
		time.Since(start).Round(time.Millisecond), iv.E, iv.A, iv.Alpha, iv.B, iv.Beta, iv.NExponent, iv.DExponent, iv.Failed)
	for _, c := range []struct {
		name      string
		iv        Interval
		published float64
	}{
		{"A", iv.A, 482.01}, {"B", iv.B, 2085.43}, {"E", iv.E, 1.8172}, {"alpha", iv.Alpha, 0.3478}, {"beta", iv.Beta, 0.3658},
	} {
		if !c.iv.Contains(c.published) {
			t.Errorf("%s: interval %v misses the replication's %v", c.name, c.iv, c.published)
		}
	}
	if iv.Failed > 10 {
		t.Errorf("%d of 100 refits failed", iv.Failed)
	}
}
