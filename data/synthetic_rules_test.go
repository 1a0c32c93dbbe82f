package data

import (
	"math"
	"testing"
)

// TestRulesOracle checks the rules kind against the picture it is built
// on: a count-based oracle that knows the first k rules (by rank) exactly
// and guesses the chain symbols of every other rule uniformly has a loss of
//
//	L(k) = H + (S-3)/S (ln V - h_eps) M(k),
//
// M(k) the Zipf mass of the rules beyond rank k. Its measured loss must
// match L(k) within 4 standard errors and fall strictly with k, down to H
// for k = K; and M(k) must fall as k^-(s-1) in the middle of the range, the
// exponent the source's scaling laws inherit.
func TestRulesOracle(t *testing.T) {
	cfg := RulesConfig{Rules: 256, Zipf: 2, Symbols: 32, Segment: 16, Noise: 0.2}
	s, err := NewRules(cfg, 4)
	if err != nil {
		t.Fatal(err)
	}
	r := s.proc.(*ruleChains)
	h, _ := s.EntropyRate()
	rank := map[[2]int32]int{}
	for i, k := range r.key {
		rank[k] = i
	}
	// mass[k]: the Zipf mass of the rules beyond the first k. A rule's
	// chance is that of its first key token times that of its second given
	// the first.
	mass := make([]float64, cfg.Rules+1)
	for k := cfg.Rules - 1; k >= 0; k-- {
		mass[k] = mass[k+1] + math.Exp(-r.key1NLL[r.key[k][0]-int32(cfg.Symbols)]-r.key2NLL[k])
	}
	if math.Abs(mass[0]-1) > 1e-12 {
		t.Fatalf("the rules' chances sum to %v", mass[0])
	}
	gap := float64(cfg.Segment-3) / float64(cfg.Segment) * (r.first - r.step)

	const docs, n = 48, 1 << 12
	prev := math.Inf(1)
	for _, k := range []int{0, 1, 2, 4, 8, 16, 64, cfg.Rules} {
		means := make([]float64, docs)
		for d := range docs {
			x, nll := s.DocNLL(uint64(d), n)
			sum := 0.0
			for at := 0; at < n; at += cfg.Segment {
				known := rank[[2]int32{x[at], x[at+1]}] < k
				for i := at; i < at+cfg.Segment; i++ {
					if i >= at+3 && !known {
						sum += r.first // ln V: a uniform guess
					} else {
						sum += nll[i]
					}
				}
			}
			means[d] = sum / n
		}
		got, se := meanStderr(means)
		want := h + gap*mass[k]
		t.Logf("oracle knowing %3d rules: loss %.4f ± %.4f, predicted %.4f (H %.4f)", k, got, se, want, h)
		if math.Abs(got-want) > 4*se {
			t.Errorf("oracle knowing %d rules: loss %.4f ± %.4f, predicted %.4f", k, got, se, want)
		}
		if got >= prev {
			t.Errorf("oracle knowing %d rules: loss %.4f, not below %.4f with fewer rules", k, got, prev)
		}
		prev = got
	}
	if slope := math.Log(mass[32]/mass[8]) / math.Log(32.0/8); math.Abs(slope+(cfg.Zipf-1)) > 0.15 {
		t.Errorf("the mass beyond rank k falls as k^%.3f between k = 8 and 32, want k^%.3f", slope, -(cfg.Zipf - 1))
	}
}
