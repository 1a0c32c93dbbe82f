package scaling

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCheckEntropy(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name    string
		e       Interval
		h       float64
		outcome string
		words   string
	}{
		{"agrees", Interval{2.02, 1.98, 2.07}, 2, EntropyAgrees, "the floor the law approaches is the data's own"},
		{"agrees at an end", Interval{2.02, 2, 2.07}, 2, EntropyAgrees, "+1% of H"},
		{"wide", Interval{1.5, 0.2, 2.4}, 2, EntropyUninformative, "does not pin the floor down"},
		{"above", Interval{2.3, 2.2, 2.4}, 2, EntropyAbove, "above the data's entropy H = 2"},
		{"below", Interval{1.7, 1.6, 1.8}, 2, EntropyBelow, "below the data's entropy H = 2"},
		{"no interval", Interval{2.1, nan, nan}, 2, EntropyNoInterval, "(no interval)"},
	} {
		c := CheckEntropy(tc.e, tc.h)
		if c.Outcome != tc.outcome || c.H != tc.h || math.Abs(c.Difference-(tc.e.Value-tc.h)) > 1e-15 ||
			math.Abs(c.Relative-c.Difference/tc.h) > 1e-15 || c.Inside != tc.e.Contains(tc.h) {
			t.Errorf("%s: %+v, want outcome %s", tc.name, c, tc.outcome)
		}
		if s := entropySentence(&c); !strings.Contains(s, tc.words) {
			t.Errorf("%s: sentence %q, want %q in it", tc.name, s, tc.words)
		}
	}
}

func TestFloorsFromAbove(t *testing.T) {
	fl := func(es ...float64) []SizeFloor {
		out := make([]SizeFloor, len(es))
		for i, e := range es {
			out[i] = SizeFloor{Params: float64(i+1) * 1e5, E: e}
		}
		return out
	}
	for _, tc := range []struct {
		floors []SizeFloor
		want   bool
	}{
		{fl(2.5, 2.3, 2.1), true},
		{fl(2.5, 0, 2.1), true}, // a failed fit (E = 0) is skipped
		{fl(2.5, 2.6, 2.1), false},
		{fl(2.5, 2.3, 1.9), false},
		{fl(2.5), false},
	} {
		if got := floorsFromAbove(tc.floors, 2); got != tc.want {
			t.Errorf("floors %+v: %v, want %v", tc.floors, got, tc.want)
		}
	}
}

// TestRunLimitTestUnknownEntropy: without H the verdict says that E cannot
// be tested, and no check is made.
func TestRunLimitTestUnknownEntropy(t *testing.T) {
	pts := synthPoints(synthLaw, synthNs, synthDs, 0.01, rand.New(rand.NewPCG(23, 24)))
	lt, err := RunLimitTest(pts, nil, limitTestOptions())
	if err != nil {
		t.Fatal(err)
	}
	if lt.Entropy != nil || !strings.Contains(lt.Verdict.Summary(), "The data's entropy H is not known") {
		t.Errorf("unknown H: check %+v, summary %q", lt.Entropy, lt.Verdict.Summary())
	}
}
