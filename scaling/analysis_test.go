package scaling

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fastAnalyzeOptions keep the tests quick: the coarse grid and 60
// resamples.
func fastAnalyzeOptions() AnalyzeOptions {
	return AnalyzeOptions{Bootstrap: 60, Seed: 3, Grid: &coverageGrid, Entropy: synthLaw.E}
}

// isoFLOPSweep is a sweep with both an N x D grid and IsoFLOP profiles,
// so that every part of the analysis has something to fit.
func isoFLOPSweep(rng *rand.Rand) []Point {
	pts := synthPoints(synthLaw, synthNs, synthDs, 0.01, rng)
	return append(pts, isoFLOPPoints(synthLaw, []float64{1e18, 1e19, 1e20}, 5, 1, 0.01, rng)...)
}

func TestAnalyzeRunsEveryPart(t *testing.T) {
	pts := isoFLOPSweep(rand.New(rand.NewPCG(31, 32)))
	a, err := Analyze(pts, nil, fastAnalyzeOptions())
	if err != nil {
		t.Fatal(err)
	}
	for name, missing := range map[string]bool{
		"law": a.Law == nil || a.Law.Intervals == nil, "power law": a.PowerLaw == nil || a.PowerLaw.Intervals == nil,
		"frontier": a.Frontier == nil, "isoflop": a.IsoFLOP == nil || a.IsoFLOP.NOpt == nil,
		"kaplan N": a.KaplanN == nil, "kaplan D": a.KaplanD == nil, "limit": a.Limit == nil,
	} {
		if missing {
			t.Errorf("%s missing; warnings %q", name, a.Warnings)
		}
	}
	if t.Failed() {
		return
	}
	if !a.Law.Intervals.E.Contains(synthLaw.E) {
		t.Errorf("E interval %v misses the true %v", a.Law.Intervals.E, synthLaw.E)
	}
	if a.Limit.Entropy == nil || a.Limit.Entropy.E != a.Law.Intervals.E {
		t.Errorf("the limit test compares H with %+v, want the all-points E %v", a.Limit.Entropy, a.Law.Intervals.E)
	}
	t.Logf("verdict: %s", a.Limit.Verdict.Summary())
	t.Logf("warnings: %q", a.Warnings)

	path := filepath.Join(t.TempDir(), "fit.json")
	if err := a.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back Analysis
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("fit.json does not read back: %v", err)
	}
	if back.Law.Intervals.Alpha != a.Law.Intervals.Alpha || back.Limit.Verdict.Class != a.Limit.Verdict.Class || len(back.IsoFLOP.Profiles) != len(a.IsoFLOP.Profiles) {
		t.Errorf("fit.json lost numbers: alpha %v vs %v, verdict %q vs %q", back.Law.Intervals.Alpha, a.Law.Intervals.Alpha, back.Limit.Verdict.Class, a.Limit.Verdict.Class)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the report folder holds %d entries after WriteJSON, want fit.json alone", len(entries))
	}
}

func TestAnalyzeIsDeterministic(t *testing.T) {
	pts := synthPoints(synthLaw, synthNs, synthDs, 0.01, rand.New(rand.NewPCG(33, 34)))
	opt := fastAnalyzeOptions()
	opt.Bootstrap = 20
	var out [2]bytes.Buffer
	for i, workers := range []int{1, 2} {
		opt.Workers = workers
		a, err := Analyze(pts, nil, opt)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Encode(&out[i]); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(out[0].Bytes(), out[1].Bytes()) {
		t.Errorf("the same seed gave different analyses with 1 and 2 workers")
	}
}

// TestAnalyzeWarnsInsteadOfFailing feeds sweeps that support only some
// parts and checks that the rest become warnings that say why.
func TestAnalyzeWarnsInsteadOfFailing(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	for _, tc := range []struct {
		name     string
		points   []Point
		warnings []string
	}{
		{"8 points", synthPoints(synthLaw, synthNs[:2], synthDs[:4], 0.01, rng), []string{
			"limit test: need at least 9 points",
			"fit L(N) = (N_c/N)^alpha_N: need at least 3 distinct N, got 2",
			"fit Approach 2: none of the",
		}},
		{"one model size", synthPoints(synthLaw, synthNs[:1], synthDs, 0.01, rng), []string{
			"all 6 points have N = 1e+06, so A and alpha are not identifiable",
			"fit L(N) = (N_c/N)^alpha_N: need at least 3 distinct N, got 1",
		}},
	} {
		a, err := Analyze(tc.points, nil, fastAnalyzeOptions())
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		all := strings.Join(a.Warnings, "\n")
		for _, w := range tc.warnings {
			if !strings.Contains(all, w) {
				t.Errorf("%s: warnings lack %q:\n%s", tc.name, w, all)
			}
		}
		var buf bytes.Buffer
		if err := a.Encode(&buf); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestAnalyzeErrors(t *testing.T) {
	two := []Point{{Params: 1e6, Tokens: 1e9, Loss: 3}, {Params: 2e6, Tokens: 1e9, Loss: 2.9}}
	for _, tc := range []struct {
		name   string
		points []Point
		want   string
	}{
		{"none", nil, "analyze: no points"},
		{"bad value", []Point{{Params: 1e6, Tokens: 1e9, Loss: math.Inf(1)}}, "point 1: loss = +Inf"},
		{"nothing fits", two, "analyze 2 points: nothing could be fitted"},
	} {
		_, err := Analyze(tc.points, nil, fastAnalyzeOptions())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		opt  AnalyzeOptions
		want string
	}{
		{"negative delta", AnalyzeOptions{HuberDelta: -1}, "option huber_delta = -1"},
		{"infinite delta", AnalyzeOptions{HuberDelta: math.Inf(1)}, "option huber_delta = +Inf"},
		{"NaN entropy", AnalyzeOptions{Entropy: math.NaN()}, "option entropy = NaN"},
		{"held out all", AnalyzeOptions{HeldOut: 1}, "option held_out = 1"},
		{"negative tolerance", AnalyzeOptions{IsoFLOPTolerance: -0.1}, "option isoflop_tolerance = -0.1"},
	} {
		_, err := Analyze(two, nil, tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestEncodeNamesNonFiniteField(t *testing.T) {
	a := &Analysis{Points: []Point{{Params: 1, Tokens: 1, Loss: 1}, {Params: 1, Tokens: math.NaN(), Loss: 1}},
		Law: &LawEstimate{Fit: &LawFit{}, Intervals: &LawIntervals{E: Interval{1, math.NaN(), math.NaN()}}}}
	err := a.Encode(&bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "points[1].tokens (NaN) is not a finite number") {
		t.Errorf("error %v, want one naming points[1].tokens", err)
	}
	a.Points[1].Tokens = 1
	if err := a.Encode(&bytes.Buffer{}); err != nil {
		t.Errorf("NaN interval bounds must be left out, not fail: %v", err)
	}
}

// TestAnalyzeTime measures Analyze with the defaults (the 4500-start grid
// and 200 resamples) on 30 points, the size of a small sweep; it is
// skipped with -short.
func TestAnalyzeTime(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: the full grid and 200 resamples")
	}
	pts := synthPoints(synthLaw, synthNs, synthDs, 0.01, rand.New(rand.NewPCG(37, 38)))
	start := time.Now()
	a, err := Analyze(pts, nil, AnalyzeOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Analyze on %d points, 200 resamples, 1 worker: %v; verdict %s", len(pts), time.Since(start).Round(time.Millisecond), a.Limit.Verdict.Class)
}

// TestAnalyzeUsesCurves: loss curves feed the frontier, in Approach 1
// and in the limit test's comparison of laws on it.
func TestAnalyzeUsesCurves(t *testing.T) {
	rng := rand.New(rand.NewPCG(39, 40))
	curves := lawCurves(synthLaw, logspace(1e6, 1e9, 8), 1e11)
	var pts []Point
	for _, c := range curves {
		for _, j := range []int{20, 40, 59} { // three budgets per size
			pts = append(pts, Point{Run: c.Run, Params: c.Params, Tokens: c.Tokens[j], Loss: c.Loss[j] * math.Exp(0.005*rng.NormFloat64())})
		}
	}
	a, err := Analyze(pts, curves, fastAnalyzeOptions())
	if err != nil {
		t.Fatal(err)
	}
	if a.Frontier == nil || a.Frontier.Candidates != len(pts)+60*len(curves) || a.Frontier.Runs != len(curves) {
		t.Fatalf("frontier %+v, want candidates from %d points and %d curves of 60 entries in %d runs", a.Frontier, len(pts), len(curves), len(curves))
	}
	if a.Limit == nil || a.Limit.Frontier == nil || a.Limit.Frontier.Broken == nil {
		t.Fatalf("limit test without a broken law on the frontier; warnings %q", a.Warnings)
	}
	n := 0
	for _, s := range a.Limit.Scores {
		if s.Data == "frontier" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d laws scored on the frontier, want 3; notes %q", n, a.Limit.Notes)
	}
	t.Logf("frontier of %d points (%d training); verdict: %s", len(a.Frontier.Points), a.Limit.Frontier.Train, a.Limit.Verdict.Summary())
	if a.Limit.Verdict.Class != VerdictSaturating || a.Limit.E != a.Law.Intervals.E {
		t.Errorf("verdict %q citing E %v; want %q citing the all-points E %v", a.Limit.Verdict.Class, a.Limit.E, VerdictSaturating, a.Law.Intervals.E)
	}
}
