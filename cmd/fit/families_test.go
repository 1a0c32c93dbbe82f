package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/ngram"
	"github.com/plateau-lab/plateau/scaling"
)

// TestFamilies fits a table of points of two families, each drawn from
// its own known law, with an n-gram baseline: one report per family, the
// comparison page beside them, and a fit.json that recovers both laws.
func TestFamilies(t *testing.T) {
	dir := t.TempDir()
	laws := map[string]scaling.Law{
		"transformer": {E: 1.7, A: 400, Alpha: 0.34, B: 2000, Beta: 0.37},
		"lstm":        {E: 2.1, A: 400, Alpha: 0.24, B: 2000, Beta: 0.27},
	}
	rng := rand.New(rand.NewPCG(7, 8))
	var rows []string
	for arch, law := range laws {
		for _, n := range []float64{1e6, 3e6, 1e7, 3e7, 1e8} {
			for _, d := range []float64{1e8, 3e8, 1e9, 3e9, 1e10} {
				l := law.Loss(n, d) * math.Exp(0.004*rng.NormFloat64())
				rows = append(rows, fmt.Sprintf("%s-%g-%g,%g,%g,%g,%s", arch, n, d, n, d, l, arch))
			}
		}
	}
	points := filepath.Join(dir, "points.csv")
	os.WriteFile(points, []byte("run,params,tokens,loss,arch\n"+strings.Join(rows, "\n")+"\n"), 0o644)
	grams := filepath.Join(dir, "ngram.csv")
	f, _ := os.Create(grams)
	var gp []ngram.Point
	for _, d := range []float64{1e8, 3e8, 1e9, 3e9, 1e10} {
		gp = append(gp, ngram.Point{Order: 5, Tokens: d, Loss: 3 + 40/math.Pow(d, 0.2), BPB: 1})
	}
	if err := ngram.WritePoints(f, gp); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out := filepath.Join(dir, "report")
	var log strings.Builder
	if err := run([]string{"-points", points, "-ngram", grams, "-out", out, "-bootstrap", "30"}, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	for _, name := range []string{"report.html", "README.md", "fit.json", "transformer/report.html", "lstm/report.html", "plots/loss-data.png"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
	raw, err := os.ReadFile(filepath.Join(out, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"the transformer scales better in N", "the transformer scales better in D", "The n-gram baseline",
		"Loss by position in the context: no run recorded its loss by position"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("README.md lacks %q", want)
		}
	}
	if !strings.Contains(log.String(), "E = ") && !strings.Contains(string(raw), "E = 3") {
		t.Errorf("the n-gram floor is not reported:\n%s", raw)
	}
}

func TestProblemArch(t *testing.T) {
	for p, want := range map[string]string{
		"runs/grid/runs/lstm2m-D1M: failed: diverged": "lstm",
		"runs/grid/runs/n800k-D4M: unfinished":        "transformer",
		"runs/grid/plan.json: missing":                "",
	} {
		if got := problemArch(p); got != want {
			t.Errorf("problemArch(%q) = %q, want %q", p, got, want)
		}
	}
}
