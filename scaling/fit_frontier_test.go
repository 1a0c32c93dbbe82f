package scaling

import (
	"math"
	"strings"
	"testing"
)

// lawCurves are loss curves that follow law exactly: one run per model
// size, evaluated at 60 log-spaced token counts from 1e7 to dMax.
func lawCurves(law Law, ns []float64, dMax float64) []Curve {
	var cs []Curve
	for i, n := range ns {
		c := Curve{Run: "run" + string(rune('A'+i)), Params: n}
		for _, d := range logspace(1e7, dMax, 60) {
			c.Tokens = append(c.Tokens, d)
			c.Loss = append(c.Loss, law.Loss(n, d))
		}
		cs = append(cs, c)
	}
	return cs
}

func TestFitFrontierFindsComputeOptimalExponentFromCurves(t *testing.T) {
	ns := logspace(1e6, 1e9, 16)
	curves := lawCurves(synthLaw, ns, 1e12)
	// Each run's final point, as a sweep would record it.
	var pts []Point
	for _, c := range curves {
		last := len(c.Tokens) - 1
		pts = append(pts, Point{Run: c.Run, Params: c.Params, Tokens: c.Tokens[last], Loss: c.Loss[last]})
	}
	// The window where the law's N_opt lies well inside the sizes swept.
	c0 := 1e18
	n0, _ := synthLaw.Optimal(c0)
	a, b := synthLaw.AllocationExponents()
	window := func(n float64) float64 { return c0 * math.Pow(n/n0, 1/a) }
	opt := FrontierOptions{MinCompute: window(2e6), MaxCompute: window(5e8), Bootstrap: BootstrapOptions{Resamples: 50}}
	f, err := FitFrontier(pts, curves, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d frontier points from %d candidates: a = %v (law %.3f), b = %v (law %.3f)", len(f.Points), f.Candidates, f.NOpt.Exponent, a, f.DOpt.Exponent, b)
	if f.Runs != len(curves) {
		t.Errorf("%d runs, want %d", f.Runs, len(curves))
	}
	if f.EdgePoints != 0 || f.Note != "" {
		t.Errorf("%d edge points (%s) inside the window", f.EdgePoints, f.Note)
	}
	// Without the window the smallest and largest models hold the ends
	// of the frontier, and the fit says so.
	whole, err := FitFrontier(pts, curves, FrontierOptions{Bootstrap: BootstrapOptions{Resamples: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if whole.Candidates != 61*len(curves) || whole.EdgePoints == 0 || !strings.Contains(whole.Note, "smallest or largest model size") {
		t.Errorf("whole range: %d candidates (want %d), %d edge points, note %q", whole.Candidates, 61*len(curves), whole.EdgePoints, whole.Note)
	}
	if math.Abs(f.NOpt.Exponent.Value-a) > 0.04 || math.Abs(f.DOpt.Exponent.Value-b) > 0.04 {
		t.Errorf("frontier exponents a = %.3f, b = %.3f; the law's are %.3f, %.3f", f.NOpt.Exponent.Value, f.DOpt.Exponent.Value, a, b)
	}
	if !f.NOpt.Exponent.HasBounds() || !f.NOpt.Exponent.Contains(f.NOpt.Exponent.Value) {
		t.Errorf("interval %v should have bounds around its value", f.NOpt.Exponent)
	}
	for i := 1; i < len(f.Points); i++ {
		if f.Points[i].Compute <= f.Points[i-1].Compute || f.Points[i].Loss >= f.Points[i-1].Loss {
			t.Fatalf("frontier point %d (C %.3g, L %.4g) does not lie below and right of %d (C %.3g, L %.4g)",
				i, f.Points[i].Compute, f.Points[i].Loss, i-1, f.Points[i-1].Compute, f.Points[i-1].Loss)
		}
	}
	// Every frontier point is the lowest loss of any candidate at no
	// more compute: the lower envelope.
	for _, fp := range f.Points {
		for _, c := range curves {
			for j, d := range c.Tokens {
				if 6*c.Params*d <= fp.Compute*(1-1e-12) && c.Loss[j] < fp.Loss {
					t.Fatalf("frontier point at C %.3g has loss %.4g, but run %s reached %.4g at C %.3g", fp.Compute, fp.Loss, c.Run, c.Loss[j], 6*c.Params*d)
				}
			}
		}
	}
}

func TestFitFrontierErrors(t *testing.T) {
	one := []Point{{Params: 1e6, Tokens: 1e9, Loss: 3}, {Params: 1e6, Tokens: 2e9, Loss: 2.9}, {Params: 1e6, Tokens: 4e9, Loss: 2.8}, {Params: 1e6, Tokens: 8e9, Loss: 2.7}}
	for _, tc := range []struct {
		name   string
		points []Point
		curves []Curve
		want   string
	}{
		{"no input", nil, nil, "no points or curve entries"},
		{"one size", one, nil, "come from models of N = 1e+06, so N_opt(C) is not identifiable"},
		{"two points", one[:2], nil, "need at least 3 frontier points, got 2"},
		{"ragged curve", one, []Curve{{Run: "x", Params: 1e6, Tokens: []float64{1, 2}, Loss: []float64{3}}}, `curve 1 (run "x"): 2 token counts but 1 losses`},
		{"bad curve size", one, []Curve{{Run: "x", Params: 0}}, `curve 1 (run "x"): params = 0`},
		{"bad point", []Point{{Params: 1, Tokens: 1, Loss: -1}}, nil, "point 1: loss = -1"},
	} {
		_, err := FitFrontier(tc.points, tc.curves, FrontierOptions{Bootstrap: BootstrapOptions{Resamples: 5}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestFrontierSkipsUnusableCurveEntries checks that the loss before the
// first step (zero tokens) and diverged entries do not reach the frontier.
func TestFrontierSkipsUnusableCurveEntries(t *testing.T) {
	curves := lawCurves(synthLaw, logspace(1e6, 1e8, 5), 1e11)
	curves[0].Tokens = append([]float64{0}, curves[0].Tokens...)
	curves[0].Loss = append([]float64{0.1}, curves[0].Loss...)
	curves[1].Loss[10] = math.NaN()
	d, err := newFrontierData(nil, curves, FrontierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.runs != 5 || len(d.cands) != 5*60-1 {
		t.Errorf("%d runs, %d candidates; want 5 and %d", d.runs, len(d.cands), 5*60-1)
	}
}
