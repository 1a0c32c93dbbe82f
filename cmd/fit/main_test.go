package main

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/internal/atomicfile"
	"github.com/plateau-lab/plateau/scaling"
)

// writePoints writes a table drawn from a known law with 1% noise: five
// sizes by five budgets.
func writePoints(t *testing.T, law scaling.Law, rows int) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	var pts []scaling.Point
	for _, n := range []float64{1e6, 3e6, 1e7, 3e7, 1e8} {
		for _, d := range []float64{2e7, 6e7, 2e8, 6e8, 2e9} {
			pts = append(pts, scaling.Point{Params: n, Tokens: d, Loss: law.Loss(n, d) * math.Exp(0.01*rng.NormFloat64())})
		}
	}
	path := filepath.Join(t.TempDir(), "points.csv")
	err := atomicfile.Write(path, func(w io.Writer) error { return scaling.WritePoints(w, pts[:rows]) })
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFitPoints(t *testing.T) {
	law := scaling.Law{E: 1.8, A: 400, Alpha: 0.34, B: 2000, Beta: 0.37}
	csv := writePoints(t, law, 25)
	out := filepath.Join(t.TempDir(), "report")
	var log strings.Builder
	if err := run([]string{"-points", csv, "-out", out, "-bootstrap", "30"}, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	for _, f := range []string{"report.html", "fit.json", "points.csv", "plots/contours.png", "plots/extrapolation.svg"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	a, _ := readFit(t, out)
	if a.Law == nil || a.Law.Intervals == nil {
		t.Fatal("fit.json has no Approach 3 law with intervals")
	}
	if e := a.Law.Fit.Law.E; math.Abs(e-law.E) > 0.1 {
		t.Errorf("fitted E = %.3f, the points were drawn with E = %.3f", e, law.E)
	}
	if !strings.Contains(log.String(), "verdict:") || !strings.Contains(log.String(), "not tested, H is unknown") {
		t.Errorf("the log does not give the verdict, or that H is unknown:\n%s", log.String())
	}
}

// readFit reads the fit.json of a report folder, and returns its bytes too.
func readFit(t *testing.T, dir string) (*scaling.Analysis, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "fit.json"))
	if err != nil {
		t.Fatal(err)
	}
	var a scaling.Analysis
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("%s/fit.json: %v", dir, err)
	}
	return &a, raw
}

func TestFitBadInput(t *testing.T) {
	law := scaling.Law{E: 1.8, A: 400, Alpha: 0.34, B: 2000, Beta: 0.37}
	few := writePoints(t, law, 3)
	corrupt := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(corrupt, []byte("params,tokens,loss\n1e6,2e7,3.1\n1e6,abc,2.9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "r")
	for _, c := range []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"no input", []string{"-out", out}, true, "exactly one of -runs"},
		{"both inputs", []string{"-runs", "x", "-points", "y", "-out", out}, true, "exactly one of -runs"},
		{"no out", []string{"-points", few}, true, "flag -out"},
		{"bad held-out", []string{"-points", few, "-out", out, "-held-out", "1.5"}, true, "flag -held-out"},
		{"bad entropy", []string{"-points", few, "-out", out, "-entropy", "-3"}, true, "flag -entropy"},
		{"stray argument", []string{"-points", few, "-out", out, "extra"}, true, "unexpected argument"},
		{"missing file", []string{"-points", "/nonexistent/p.csv", "-out", out}, false, "/nonexistent/p.csv"},
		{"corrupt file", []string{"-points", corrupt, "-out", out}, false, "bad.csv"},
		{"too few points", []string{"-points", few, "-out", out}, false, "at least"},
		{"missing runs", []string{"-runs", "/nonexistent/sweep", "-out", out}, false, "/nonexistent/sweep"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := run(c.args, io.Discard)
			if err == nil {
				t.Fatal("want an error")
			}
			var u usageError
			if isUsage := errors.As(err, &u); isUsage != c.usage {
				t.Errorf("usage error = %v, want %v (%v)", isUsage, c.usage, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(out, "report.html")); !os.IsNotExist(err) {
		t.Errorf("a failed fit left a report behind (stat: %v)", err)
	}
}

func TestCommand(t *testing.T) {
	got := command("/tmp/go-build123/b001/exe/fit", []string{"-points", "my points.csv", "-out", "r"})
	if want := "go run ./cmd/fit -points 'my points.csv' -out r"; got != want {
		t.Errorf("command = %q, want %q", got, want)
	}
	if got := command("/usr/local/bin/plateau-fit", []string{"-out", "r"}); got != "/usr/local/bin/plateau-fit -out r" {
		t.Errorf("command = %q", got)
	}
}
