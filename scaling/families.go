package scaling

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sort"
)

// FamilyFit is one model family's Analysis within a Comparison.
type FamilyFit struct {
	Arch     string    `json:"arch"`
	Analysis *Analysis `json:"analysis"`
}

// Difference is one fitted number of two families side by side: Delta is
// family A's minus family B's, with the percentile interval of the
// differences of their bootstrap resamples paired by index (the families'
// resamples are drawn independently, so each pair is a draw of the
// difference). Resolved says the interval excludes 0.
type Difference struct {
	Name     string   `json:"name"` // alpha, beta or E
	A        string   `json:"a"`
	B        string   `json:"b"`
	ValueA   Interval `json:"value_a"`
	ValueB   Interval `json:"value_b"`
	Delta    Interval `json:"delta"`
	Resolved bool     `json:"resolved"`
}

// Comparison is the fits of several model families trained on the same
// data and budgets: each family's Analysis, the differences of their
// exponents and floors, where each one's curve bends, and the comparison
// in sentences.
type Comparison struct {
	Families    []FamilyFit  `json:"families"`
	Differences []Difference `json:"differences,omitempty"`
	Sentences   []string     `json:"sentences,omitempty"`
	// Bends say where each family's fitted curve bends along D and N.
	Bends    []Bend   `json:"bends,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// Family returns the named family's fit, or nil.
func (c *Comparison) Family(arch string) *FamilyFit {
	for i := range c.Families {
		if c.Families[i].Arch == arch {
			return &c.Families[i]
		}
	}
	return nil
}

// familyOrder puts the transformer first, the rest by name.
func familyOrder(a, b string) int {
	rank := func(s string) int {
		if s == "transformer" {
			return 0
		}
		return 1
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b))
}

// CompareFamilies groups the points and curves by family (Point.Arch,
// Curve.Arch) and analyses each group on its own with opt, its bootstrap
// seeded apart from the others' so that the families' resamples are
// independent; then it compares every pair of families in alpha (how
// loss falls with N), beta (with D) and E (the floor), and says where
// each family's curve bends along D and N (Bend). A family whose
// points cannot be fitted is a warning; CompareFamilies fails when no
// family can be.
func CompareFamilies(points []Point, curves []Curve, opt AnalyzeOptions) (*Comparison, error) {
	byArch := map[string][]Point{}
	for _, p := range points {
		byArch[p.Arch] = append(byArch[p.Arch], p)
	}
	archs := make([]string, 0, len(byArch))
	for a := range byArch {
		archs = append(archs, a)
	}
	slices.SortFunc(archs, familyOrder)
	c := &Comparison{}
	for _, arch := range archs {
		var cs []Curve
		for _, cv := range curves {
			if cv.Arch == arch {
				cs = append(cs, cv)
			}
		}
		o := opt
		h := fnv.New64a()
		h.Write([]byte(arch))
		o.Seed ^= h.Sum64()
		a, err := Analyze(byArch[arch], cs, o)
		if err != nil {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s: %v", familyName(arch), err))
			continue
		}
		c.Families = append(c.Families, FamilyFit{Arch: arch, Analysis: a})
		c.Bends = append(c.Bends, familyBends(arch, a)...)
	}
	if len(c.Families) == 0 {
		return nil, fmt.Errorf("compare families: no family could be fitted: %v", c.Warnings)
	}
	for i := range c.Families {
		for j := i + 1; j < len(c.Families); j++ {
			c.compare(c.Families[i], c.Families[j])
		}
	}
	return c, nil
}

// familyName is how sentences name a family.
func familyName(arch string) string {
	if arch == "" {
		return "the points without a family"
	}
	return "the " + arch
}

// compare adds the differences of two families and their sentences.
func (c *Comparison) compare(a, b FamilyFit) {
	la, lb := a.Analysis.Law, b.Analysis.Law
	if la == nil || lb == nil || la.Intervals == nil || lb.Intervals == nil {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s against %s: L(N, D) or its intervals are missing for one of them: no comparison", a.Arch, b.Arch))
		return
	}
	stats := []struct {
		name  string
		k     int // index in lawStats
		va, b Interval
		what  string
	}{
		{"alpha", 2, la.Intervals.Alpha, lb.Intervals.Alpha, "alpha (how loss falls with N)"},
		{"beta", 4, la.Intervals.Beta, lb.Intervals.Beta, "beta (how loss falls with D)"},
		{"E", 0, la.Intervals.E, lb.Intervals.E, "E (the loss at infinite N and D)"},
	}
	level := la.Intervals.Level
	for _, s := range stats {
		d := Difference{Name: s.name, A: a.Arch, B: b.Arch, ValueA: s.va, ValueB: s.b,
			Delta: pairedDifference(la.reps, lb.reps, s.k, s.va.Value-s.b.Value, level)}
		d.Resolved = d.Delta.HasBounds() && (d.Delta.Lo > 0 || d.Delta.Hi < 0)
		c.Differences = append(c.Differences, d)
		c.Sentences = append(c.Sentences, differenceSentence(d, s.what, level))
	}
}

// pairedDifference is the interval of statistic k of resamples ra minus
// rb, paired by index, around value.
func pairedDifference(ra, rb [][]float64, k int, value, level float64) Interval {
	n := min(len(ra), len(rb))
	col := make([]float64, 0, n)
	for i := range n {
		if d := ra[i][k] - rb[i][k]; !math.IsNaN(d) {
			col = append(col, d)
		}
	}
	if len(col) < 2 {
		return Interval{Value: value, Lo: math.NaN(), Hi: math.NaN()}
	}
	sort.Float64s(col)
	tail := (1 - level) / 2
	return Interval{Value: value, Lo: quantileSorted(col, tail), Hi: quantileSorted(col, 1-tail)}
}

// differenceSentence says which family scales better in one quantity:
// the larger exponent (loss falls faster), or the lower floor, when the
// interval of the difference excludes 0.
func differenceSentence(d Difference, what string, level float64) string {
	head := fmt.Sprintf("%s: %s %s, %s %s; %s minus %s = %s (%.0f%% interval)",
		what, d.A, d.ValueA, d.B, d.ValueB, d.A, d.B, d.Delta, 100*level)
	if !d.Resolved {
		return head + ", which includes 0: the runs do not tell the families apart in this."
	}
	better := d.A
	if (d.Name == "E") == (d.Delta.Value > 0) {
		better = d.B
	}
	switch d.Name {
	case "alpha":
		return head + ": " + familyName(better) + " scales better in N."
	case "beta":
		return head + ": " + familyName(better) + " scales better in D."
	}
	return head + ": " + familyName(better) + "'s floor is lower."
}

// DataFloor is L(D) = E + B/D^beta fitted to one curve of loss against
// data alone, as the n-gram baseline's: E is the loss the curve flattens
// towards. It is fitted by the same Huber criterion on log loss as the
// other laws.
type DataFloor struct {
	E         float64 `json:"E"`
	B         float64 `json:"B"`
	Beta      float64 `json:"beta"`
	Points    int     `json:"points"`
	Converged bool    `json:"converged"`
	Message   string  `json:"message,omitempty"`
}

// FitDataFloor fits a DataFloor to losses at token counts; it needs at
// least four points (three parameters and one to spare). delta 0 means
// DefaultHuberDelta.
func FitDataFloor(tokens, losses []float64, delta float64) (*DataFloor, error) {
	if len(tokens) != len(losses) {
		return nil, fmt.Errorf("fit L(D): %d token counts and %d losses", len(tokens), len(losses))
	}
	for i := range tokens {
		if !positiveFinite(tokens[i]) || !positiveFinite(losses[i]) {
			return nil, fmt.Errorf("fit L(D): point %d (D %v, loss %v): want positive finite numbers", i, tokens[i], losses[i])
		}
	}
	if delta == 0 {
		delta = DefaultHuberDelta
	}
	f, err := fitComputeLaw(kindSaturating, tokens, losses, delta, nil)
	if err != nil {
		return nil, err
	}
	return &DataFloor{E: f.power.E, B: f.power.A, Beta: f.power.Alpha, Points: len(tokens),
		Converged: f.out.converged, Message: f.out.message}, nil
}
