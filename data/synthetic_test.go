package data

import (
	"math"
	"slices"
	"testing"
)

// TestSyntheticEntropyAgrees checks the closed-form entropy rate of every
// preset against the Monte Carlo average of the generator's own -log p.
func TestSyntheticEntropyAgrees(t *testing.T) {
	for _, kind := range SyntheticKinds() {
		for _, seed := range []uint64{1, 2} {
			s, err := NewSynthetic(kind, seed)
			if err != nil {
				t.Fatal(err)
			}
			h, herr := s.EntropyRate()
			if !(h > 0) || herr > 1e-9 {
				t.Fatalf("%s seed %d: rate %v with error %v", kind, seed, h, herr)
			}
			est, se, err := s.EstimateEntropyRate(32, 1<<15)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s seed %d: closed form %.6f, sampled %.6f ± %.6f", kind, seed, h, est, se)
			if math.Abs(est-h) > 4*se {
				t.Errorf("%s seed %d: closed form %.6f, sampled %.6f ± %.6f: more than 4 stderr apart", kind, seed, h, est, se)
			}
		}
	}
}

func TestSyntheticDocs(t *testing.T) {
	for _, kind := range SyntheticKinds() {
		s, err := NewSynthetic(kind, 7)
		if err != nil {
			t.Fatal(err)
		}
		a, b := s.Doc(3, 500), s.Doc(3, 500)
		if !slices.Equal(a, b) {
			t.Errorf("%s: document 3 differs between calls", kind)
		}
		if slices.Equal(a, s.Doc(4, 500)) {
			t.Errorf("%s: documents 3 and 4 are equal", kind)
		}
		if !slices.Equal(s.Doc(3, 100), a[:100]) {
			t.Errorf("%s: a shorter document is not a prefix of the longer", kind)
		}
		for _, id := range a {
			if id < 0 || id >= s.EOT() {
				t.Fatalf("%s: token %d outside [0, %d)", kind, id, s.EOT())
			}
		}
		if len(s.Doc(0, 0)) != 0 || len(s.Doc(0, 1)) != 1 {
			t.Errorf("%s: wrong lengths for tiny documents", kind)
		}
	}
}
