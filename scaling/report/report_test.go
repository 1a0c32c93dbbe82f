package report

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/scaling"
)

// study draws a small sweep from a known law with a little noise: five
// sizes by five budgets, with loss curves, as a sweep would give.
func study(t *testing.T) ([]scaling.Point, []scaling.Curve) {
	t.Helper()
	law := scaling.Law{E: 1.2, A: 300, Alpha: 0.35, B: 900, Beta: 0.33}
	rng := rand.New(rand.NewPCG(1, 2))
	var pts []scaling.Point
	var curves []scaling.Curve
	for _, n := range []float64{1e5, 2e5, 4e5, 8e5, 1.6e6} {
		for _, d := range []float64{1e6, 2e6, 4e6, 8e6, 1.6e7} {
			loss := law.Loss(n, d) * math.Exp(0.005*rng.NormFloat64())
			name := "n" + si(n) + "-D" + si(d)
			pts = append(pts, scaling.Point{Run: name, Params: n, Tokens: d, Loss: loss})
			c := scaling.Curve{Run: name, Params: n}
			for _, f := range []float64{0.25, 0.5, 1} {
				c.Tokens = append(c.Tokens, f*d)
				c.Loss = append(c.Loss, law.Loss(n, f*d))
			}
			curves = append(curves, c)
		}
	}
	return pts, curves
}

func TestWrite(t *testing.T) {
	pts, curves := study(t)
	a, err := scaling.Analyze(pts, curves, scaling.AnalyzeOptions{Bootstrap: 20, Seed: 1, Entropy: 1.2})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := Input{
		Title: "test study", Source: "a synthetic table", Analysis: a, Curves: curves, Entropy: 1.2,
		Runs:       []Run{{Name: pts[0].Run, Params: pts[0].Params, Tokens: pts[0].Tokens, Loss: pts[0].Loss, Status: "done"}, {Name: "n2m-D1M", Status: "failed"}},
		Problems:   []string{"runs/n2m-D1M: failed: training diverged"},
		Plan:       `{"presets": ["n100k"]}`,
		Provenance: Collect("plateau fit -points x.csv -out r", "cpu"),
	}
	paths, err := Write(dir, in)
	if err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, Page))
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	for _, name := range []string{"loss-curves", "reducible", "frontier", "isoflop", "contours", "extrapolation", "residuals"} {
		for _, ext := range []string{".png", ".svg"} {
			if _, err := os.Stat(filepath.Join(dir, PlotsDir, name+ext)); err != nil {
				t.Errorf("figure %s%s: %v", name, ext, err)
			}
		}
		if !strings.Contains(page, `href="plots/`+name+`.svg"`) {
			t.Errorf("the page does not link %s.svg", name)
		}
	}
	if got := strings.Count(page, "data:image/png;base64,"); got != 7 {
		t.Errorf("the page embeds %d PNGs, want 7", got)
	}
	for _, want := range []string{a.Limit.Verdict.Class, "n2m-D1M", "training diverged", "plateau fit -points x.csv", "Approach 3", "entropy H", in.Provenance.Commit,
		"The test of E against H: <b>" + a.Limit.Entropy.Outcome + "</b>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not mention %q", want)
		}
	}
	if len(paths) != 16 || filepath.Base(paths[len(paths)-1]) != Page {
		t.Errorf("Write returned %d paths, want 14 figures and the two pages, the HTML last: %v", len(paths), paths)
	}
	md, err := os.ReadFile(filepath.Join(dir, MarkdownPage))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"![Residuals](plots/residuals.png)", "![Reducible loss L − H](plots/reducible.png)", "**" + a.Limit.Verdict.Class + "**", "| E > 0 |", "n2m-D1M", "(report.html)",
		"the test of E against H: **" + a.Limit.Entropy.Outcome + "**"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("README.md does not contain %q", want)
		}
	}
}

func TestWriteWithoutAnalysis(t *testing.T) {
	if _, err := Write(t.TempDir(), Input{}); err == nil {
		t.Fatal("want an error for a report without an analysis")
	}
}

// A table of points from elsewhere has no curves: the report leaves the
// loss-curve figure out and says why.
func TestWriteWithoutCurves(t *testing.T) {
	pts, _ := study(t)
	a, err := scaling.Analyze(pts, nil, scaling.AnalyzeOptions{Bootstrap: -1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Write(dir, Input{Title: "points", Source: "x.csv", Analysis: a}); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(dir, Page))
	if !strings.Contains(string(page), "no loss curves") {
		t.Error("the page does not say why the loss curves are missing")
	}
	// Nor is the data's entropy known: no reducible-loss figure, and both
	// pages say that E cannot be tested.
	md, _ := os.ReadFile(filepath.Join(dir, MarkdownPage))
	for name, text := range map[string]string{Page: string(page), MarkdownPage: string(md)} {
		if !strings.Contains(text, "Reducible loss L − H: the data") || !strings.Contains(text, "the fitted E cannot be tested against the data") {
			t.Errorf("%s does not say that H is unknown", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, PlotsDir, "reducible.png")); !os.IsNotExist(err) {
		t.Errorf("reducible.png written without an entropy (stat: %v)", err)
	}
	if _, err := os.Stat(filepath.Join(dir, PlotsDir, "loss-curves.png")); !os.IsNotExist(err) {
		t.Errorf("loss-curves.png written without curves (stat: %v)", err)
	}
}

func TestSI(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{0, "0"}, {853120, "853k"}, {4.2e6, "4.2M"}, {1.5e9, "1.5G"}, {2e12, "2T"}, {1.2e17, "1.2e+17"}, {0.5, "0.5"}, {12, "12"}} {
		if got := si(c.v); got != c.want {
			t.Errorf("si(%g) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestOptimalLoss(t *testing.T) {
	if optimalLoss(scaling.Law{E: 2, A: 1e-42, Alpha: -6.5, B: 1200, Beta: 0.5}) != nil {
		t.Error("a curve for a law with a negative exponent, which has no compute-optimal allocation")
	}
	l := scaling.Law{E: 1.7, A: 400, Alpha: 0.34, B: 400, Beta: 0.28}
	f := optimalLoss(l)
	if f == nil {
		t.Fatal("no curve for a proper law")
	}
	n, d := l.Optimal(1e20)
	if got, want := f(1e20), l.Loss(n, d); got != want || math.IsNaN(got) {
		t.Errorf("optimal loss at 1e20 FLOPs = %v, want %v", got, want)
	}
}
