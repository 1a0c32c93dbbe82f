package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/ngram"
	"github.com/plateau-lab/plateau/scaling"
)

// TestWriteComparison writes a comparison of two families (the same
// synthetic study, the second a little worse) with losses by position and
// an n-gram baseline, and checks that every page, figure and table is
// there.
func TestWriteComparison(t *testing.T) {
	pts, curves := study(t)
	var all []scaling.Point
	for _, arch := range []string{"transformer", "lstm"} {
		for _, p := range pts {
			p.Arch = arch
			if arch == "lstm" {
				p.Loss *= 1.1
			}
			all = append(all, p)
		}
	}
	c, err := scaling.CompareFamilies(all, nil, scaling.AnalyzeOptions{Bootstrap: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	pos := func(base float64) *Positions {
		p := &Positions{Run: "big", Params: 1.6e6, Tokens: 1.6e7}
		for i := range 64 {
			p.Loss = append(p.Loss, base+2/float64(i+1))
		}
		return p
	}
	grams := []ngram.Point{{Order: 3, Tokens: 1e6, Loss: 3.5, BPB: 1.2}, {Order: 3, Tokens: 4e6, Loss: 3.3, BPB: 1.1},
		{Order: 5, Tokens: 1e6, Loss: 3.4, BPB: 1.15}, {Order: 5, Tokens: 4e6, Loss: 3.1, BPB: 1.0}}
	in := ComparisonInput{Title: "two families", Source: "a synthetic table", Comparison: c, NGram: grams,
		NGramFloor: &scaling.DataFloor{E: 2.5, B: 40, Beta: 0.2, Points: 4, Converged: true},
		Provenance: Collect("plateau fit", "cpu")}
	for i, f := range c.Families {
		in.Families = append(in.Families, Family{Arch: f.Arch, Input: Input{Title: f.Arch, Source: "x", Analysis: f.Analysis, Curves: curves,
			Provenance: in.Provenance}, ByPosition: pos(1.5 + float64(i))})
	}
	dir := t.TempDir()
	paths, err := WriteComparison(dir, in)
	if err != nil {
		t.Fatal(err)
	}
	if last := paths[len(paths)-1]; last != filepath.Join(dir, Page) {
		t.Errorf("last path %s, want the HTML page", last)
	}
	for _, f := range []string{"report.html", "README.md", "transformer/report.html", "lstm/README.md",
		"plots/frontiers.png", "plots/loss-data.svg", "plots/by-position.png", "lstm/plots/contours.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() < 200 {
			t.Errorf("%s: %v", f, err)
		}
	}
	for _, name := range []string{Page, MarkdownPage} {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		page := string(raw)
		for _, want := range []string{"Which family scales better?", "transformer minus lstm", "Loss by position",
			"| 64 |", "order 5", "E = 2.5", "Compute frontiers", "alpha (how loss falls with N)",
			"Where does each curve bend?", "the lstm along D at N = ", "it bends (B/D"} {
			if name == Page && want == "| 64 |" {
				want = "<td>64</td>"
			}
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
}
