package data

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func numberedCorpus(n int) *Corpus {
	c := &Corpus{Name: "numbered"}
	for i := range n {
		c.Docs = append(c.Docs, fmt.Appendf(nil, "document %d", i))
	}
	return c
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name         string
		docs         int
		frac         float64
		minVal, maxV int
	}{
		{"no validation", 50, 0, 0, 0},
		{"tenth", 1000, 0.1, 70, 130},
		{"half", 1000, 0.5, 440, 560},
		{"two docs tiny fraction", 2, 0.001, 1, 1},
		{"two docs large fraction", 2, 0.999, 1, 1},
		{"single doc", 1, 0.5, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := numberedCorpus(tt.docs)
			train, val, err := Split(c, tt.frac, 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(val) < tt.minVal || len(val) > tt.maxV {
				t.Errorf("%d validation docs, want %d..%d", len(val), tt.minVal, tt.maxV)
			}
			if len(train)+len(val) != tt.docs || len(train) == 0 {
				t.Errorf("%d train + %d validation docs from %d", len(train), len(val), tt.docs)
			}
			// Disjoint, complete and in corpus order.
			seen := make(map[string]bool)
			for _, set := range [][][]byte{train, val} {
				last := -1
				for _, d := range set {
					i := slices.IndexFunc(c.Docs, func(x []byte) bool { return bytes.Equal(x, d) })
					if seen[string(d)] || i <= last {
						t.Fatalf("document %q repeated or out of order", d)
					}
					seen[string(d)] = true
					last = i
				}
			}
			train2, val2, _ := Split(c, tt.frac, 7)
			if !slices.EqualFunc(train, train2, bytes.Equal) || !slices.EqualFunc(val, val2, bytes.Equal) {
				t.Error("Split is not deterministic")
			}
		})
	}
}

func TestSplitSeedAndOrder(t *testing.T) {
	c := numberedCorpus(200)
	_, a, _ := Split(c, 0.2, 1)
	_, b, _ := Split(c, 0.2, 2)
	if slices.EqualFunc(a, b, bytes.Equal) {
		t.Error("different seeds gave the same validation set")
	}
	// Assignment follows content, so reordering the corpus keeps each
	// document on its side.
	rev := &Corpus{Docs: slices.Clone(c.Docs)}
	slices.Reverse(rev.Docs)
	_, r, _ := Split(rev, 0.2, 1)
	slices.Reverse(r)
	if !slices.EqualFunc(a, r, bytes.Equal) {
		t.Error("reordering the corpus changed the validation set")
	}
}

func TestSplitErrors(t *testing.T) {
	tests := []struct {
		name    string
		c       *Corpus
		frac    float64
		wantErr string
	}{
		{"nil corpus", nil, 0.1, "no documents"},
		{"empty corpus", &Corpus{Name: "e"}, 0.1, "no documents"},
		{"negative", numberedCorpus(3), -0.1, "fraction -0.1 outside [0, 1)"},
		{"one", numberedCorpus(3), 1, "fraction 1 outside"},
		{"NaN", numberedCorpus(3), math.NaN(), "fraction NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Split(tt.c, tt.frac, 0)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
