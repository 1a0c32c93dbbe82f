package main

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/kernels/devices"
	"github.com/plateau-lab/plateau/scaling"
)

// TestMicroSweep is the whole pipeline on the CPU: a real micro sweep
// (three model sizes by four token budgets of the built-in prose, wsd
// branches), then the fit and its report. It checks that the report and
// every figure exist and that the fit is sane: converged, the law within
// 5% of every point, loss falling with D at every size and in the law
// (beta > 0), E between 0 and the lowest loss measured, and a verdict
// that cites its numbers. At this scale the size exponent alpha is not
// pinned down (the larger models have too few tokens to pull ahead), so
// the test does not judge it.
func TestMicroSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("trains twelve runs")
	}
	p := scaling.DefaultPlan()
	p.Data = "builtin"
	p.Tokenizer = "bpe:512"
	p.Seq = 64
	p.Presets = []string{"n100k", "n200k", "n400k"}
	p.Tokens = []scaling.Quantity{128e3, 256e3, 512e3, 1024e3}
	p.Mode = "wsd"
	p.HParams.BatchTokens = 2048
	p.MinSteps = 20
	p.EvalsPerRun = 4
	p.EvalBatches = 4
	dev, err := devices.Open("cpu", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	sweepDir := filepath.Join(t.TempDir(), "sweep")
	sw, err := scaling.NewSweep(p, dev, scaling.SweepOptions{Out: sweepDir})
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.Run(); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(sweepDir, "report")
	var log strings.Builder
	if err := run([]string{"-runs", sweepDir, "-out", out, "-bootstrap", "40"}, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	t.Log(log.String())
	for _, f := range []string{"report.html", "fit.json", "points.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	for _, fig := range []string{"loss-curves", "frontier", "isoflop", "contours", "extrapolation", "residuals"} {
		for _, ext := range []string{".png", ".svg"} {
			if st, err := os.Stat(filepath.Join(out, "plots", fig+ext)); err != nil || st.Size() < 1000 {
				t.Errorf("figure %s%s: %v", fig, ext, err)
			}
		}
	}

	a, raw := readFit(t, out)
	if len(a.Points) != 12 {
		t.Fatalf("fitted %d points, the sweep has 12", len(a.Points))
	}
	minLoss := math.Inf(1)
	last := map[float64]float64{} // loss at the previous budget, by N
	for _, pt := range a.Points { // sorted by N, then D
		minLoss = math.Min(minLoss, pt.Loss)
		if prev, ok := last[pt.Params]; ok && pt.Loss > prev+0.02 {
			t.Errorf("%s: loss %.4f above the smaller budget's %.4f", pt.Run, pt.Loss, prev)
		}
		last[pt.Params] = pt.Loss
	}
	if a.Law == nil {
		t.Fatal("no Approach 3 law")
	}
	l := a.Law.Fit.Law
	if !a.Law.Fit.Converged || !(a.Law.Fit.RMSE < 0.05) || !(l.Beta > 0) || !(l.E >= 0 && l.E < minLoss) {
		t.Errorf("fit not sane: converged %v, RMSE %.3g in log loss, E %.4g (lowest loss %.4g), beta %.3g",
			a.Law.Fit.Converged, a.Law.Fit.RMSE, l.E, minLoss, l.Beta)
	}
	if a.Limit == nil || a.Limit.Verdict.Class == "" || len(a.Limit.Verdict.Sentences) == 0 {
		t.Fatalf("no limit test with a verdict: %+v", a.Limit)
	}
	page, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !strings.Contains(string(page), a.Limit.Verdict.Class) {
		t.Error("the report does not give the verdict")
	}
	if !strings.Contains(string(page), "min_steps") {
		t.Error("the report does not show the sweep's plan")
	}

	// A second fit of the same runs with the same seed gives the same numbers.
	out2 := filepath.Join(t.TempDir(), "again")
	if err := run([]string{"-runs", sweepDir, "-out", out2, "-bootstrap", "40"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	_, raw2 := readFit(t, out2)
	if string(raw) != string(raw2) {
		t.Error("fit.json differs between two fits of the same runs with the same seed")
	}
}
