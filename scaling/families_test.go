package scaling

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestCompareFamilies: points drawn from two known laws, one per family,
// are fitted family by family, each recovering its own law, and the
// comparison says which family scales better in N and in D.
func TestCompareFamilies(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	lstmLaw := Law{E: 2.1, A: 400, Alpha: 0.24, B: 2000, Beta: 0.27}
	var pts []Point
	for arch, law := range map[string]Law{"transformer": synthLaw, "lstm": lstmLaw} {
		for _, p := range synthPoints(law, synthNs, synthDs, 0.005, rng) {
			p.Arch = arch
			pts = append(pts, p)
		}
	}
	c, err := CompareFamilies(pts, nil, fastAnalyzeOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Families) != 2 || c.Families[0].Arch != "transformer" || c.Families[1].Arch != "lstm" {
		t.Fatalf("families %+v", c.Families)
	}
	for _, f := range c.Families {
		want := synthLaw
		if f.Arch == "lstm" {
			want = lstmLaw
		}
		iv := f.Analysis.Law.Intervals
		for _, q := range []struct {
			name      string
			got       Interval
			want, tol float64
		}{{"E", iv.E, want.E, 0.5}, {"alpha", iv.Alpha, want.Alpha, 0.02}, {"beta", iv.Beta, want.Beta, 0.02}} {
			if d := q.got.Value - q.want; d > q.tol || d < -q.tol || !q.got.Contains(q.want) {
				t.Errorf("%s: fitted %s %v, true %v", f.Arch, q.name, q.got, q.want)
			}
		}
		if len(f.Analysis.Points) != len(synthNs)*len(synthDs) {
			t.Errorf("%s: %d points fitted", f.Arch, len(f.Analysis.Points))
		}
	}
	// Each family's bends along D (at its largest N) and N (at its
	// largest D) hold the true law's knees in their intervals.
	if len(c.Bends) != 4 {
		t.Fatalf("%d bends, want 2 per family: %+v", len(c.Bends), c.Bends)
	}
	for _, b := range c.Bends {
		law := synthLaw
		if b.Arch == "lstm" {
			law = lstmLaw
		}
		want := lawKnee(lawStats(law), b.Along, b.At)
		if !b.Knee.Contains(want) || math.Abs(math.Log(b.Knee.Value/want)) > 0.5 {
			t.Errorf("%s along %s: knee %v, true %.4g", b.Arch, b.Along, b.Knee, want)
		}
		if len(b.Slopes) == 0 || b.Sentence == "" {
			t.Errorf("%s along %s: no measured slopes or sentence: %+v", b.Arch, b.Along, b)
		}
		t.Log(b.Sentence)
	}
	resolved := map[string]Difference{}
	for _, d := range c.Differences {
		resolved[d.Name] = d
	}
	for name, truth := range map[string]float64{"alpha": synthLaw.Alpha - lstmLaw.Alpha, "beta": synthLaw.Beta - lstmLaw.Beta,
		"E": synthLaw.E - lstmLaw.E} {
		d, ok := resolved[name]
		if !ok || !d.Delta.Contains(truth) {
			t.Errorf("%s: difference %+v misses the true %v", name, d, truth)
		}
		// The exponents differ by far more than their errors; E, which
		// trades off against the N and D terms when the exponents are
		// small, need not be resolved.
		if name != "E" && !d.Resolved {
			t.Errorf("%s: difference %+v is not resolved", name, d)
		}
	}
	text := strings.Join(c.Sentences, "\n")
	for _, want := range []string{"the transformer scales better in N", "the transformer scales better in D"} {
		if !strings.Contains(text, want) {
			t.Errorf("the comparison does not say %q:\n%s", want, text)
		}
	}
	t.Log(text)
}
