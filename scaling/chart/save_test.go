package chart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// TestSaveErrors checks that Save rejects what it cannot write, including
// a plot gonum/plot would panic on, without leaving files behind.
func TestSaveErrors(t *testing.T) {
	bad := plot.New()
	setLog(&bad.Y)
	s, err := plotter.NewScatter(plotter.XYs{{X: 1, Y: 0}, {X: 2, Y: 1}})
	if err != nil {
		t.Fatal(err)
	}
	bad.Add(s) // zero on a log axis: gonum/plot panics while drawing
	good := plot.New()
	cases := []struct {
		name     string
		p        *plot.Plot
		fileName string
		want     string
	}{
		{"nil plot", nil, "fig", "plot is nil"},
		{"empty name", good, "", `name ""`},
		{"name with folder", good, "sub/fig", `name "sub/fig"`},
		{"hidden name", good, ".fig", `name ".fig"`},
		{"panicking plot", bad, "bad", "draw:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			paths, err := Save(c.p, dir, c.fileName)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Save: paths %v, error %v, want an error containing %q", paths, err, c.want)
			}
			left, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(left) != 0 {
				t.Fatalf("Save left %v in %s", left, dir)
			}
		})
	}
}

// TestSaveReplaces checks that Save creates the folder, overwrites an
// earlier figure and leaves no temporary files.
func TestSaveReplaces(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "figures", "run1")
	p, err := LossCurves(newSweep().curves[:2], 0)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := Save(p, dir, "curves"); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "curves.png curves.svg" {
		t.Fatalf("folder holds %v, want curves.png and curves.svg only", names)
	}
	checkPNG(t, filepath.Join(dir, "curves.png"))
	checkSVG(t, filepath.Join(dir, "curves.svg"))
}
