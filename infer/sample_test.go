package infer

import (
	"math"
	"strings"
	"testing"
)

// TestSamplingDistribution checks the distribution each filter leaves
// against probabilities worked out by hand. Base logits are the logs of
// 0.4, 0.3, 0.2, 0.1, so that at temperature 1 the probabilities are those
// numbers.
func TestSamplingDistribution(t *testing.T) {
	base := []float32{float32(math.Log(0.4)), float32(math.Log(0.3)), float32(math.Log(0.2)), float32(math.Log(0.1))}
	cases := []struct {
		name   string
		s      Sampling
		logits []float32
		seen   []int32
		want   []float64
	}{
		{"temperature 1", Sampling{Temperature: 1}, base, nil, []float64{0.4, 0.3, 0.2, 0.1}},
		// p^(1/2) renormalised: sqrt(.4), sqrt(.3), sqrt(.2), sqrt(.1) over their sum 1.94362.
		{"temperature 2", Sampling{Temperature: 2}, base, nil, []float64{0.32540, 0.28180, 0.23009, 0.16270}},
		// p^2 renormalised: .16, .09, .04, .01 over .30.
		{"temperature 0.5", Sampling{Temperature: 0.5}, base, nil, []float64{0.53333, 0.3, 0.13333, 0.03333}},
		{"top-k 2", Sampling{Temperature: 1, TopK: 2}, base, nil, []float64{4.0 / 7, 3.0 / 7, 0, 0}},
		{"top-k 1", Sampling{Temperature: 1, TopK: 1}, base, nil, []float64{1, 0, 0, 0}},
		{"top-k larger than the vocabulary", Sampling{Temperature: 1, TopK: 9}, base, nil, []float64{0.4, 0.3, 0.2, 0.1}},
		// Cumulative .4, .7 >= .5: two tokens.
		{"top-p 0.5", Sampling{Temperature: 1, TopP: 0.5}, base, nil, []float64{4.0 / 7, 3.0 / 7, 0, 0}},
		// Cumulative .4, .7, .9 >= .75: three tokens.
		{"top-p 0.75", Sampling{Temperature: 1, TopP: 0.75}, base, nil, []float64{4.0 / 9, 3.0 / 9, 2.0 / 9, 0}},
		{"top-p 1", Sampling{Temperature: 1, TopP: 1}, base, nil, []float64{0.4, 0.3, 0.2, 0.1}},
		// After top-k 3 the probabilities are 4/9, 3/9, 2/9: cumulative
		// .444, .778 >= .72 keeps two (over the whole vocabulary it would
		// have taken three).
		{"top-k 3 then top-p 0.72", Sampling{Temperature: 1, TopK: 3, TopP: 0.72}, base, nil, []float64{4.0 / 7, 3.0 / 7, 0, 0}},
		// Keep p >= 0.6*0.4 = 0.24.
		{"min-p 0.6", Sampling{Temperature: 1, MinP: 0.6}, base, nil, []float64{4.0 / 7, 3.0 / 7, 0, 0}},
		// Keep p >= 0.3*0.4 = 0.12.
		{"min-p 0.3", Sampling{Temperature: 1, MinP: 0.3}, base, nil, []float64{4.0 / 9, 3.0 / 9, 2.0 / 9, 0}},
		{"min-p 1", Sampling{Temperature: 1, MinP: 1}, base, nil, []float64{1, 0, 0, 0}},
		// Seen tokens 0 and 2: 2 -> 2/2 = 1, -1 -> -1*2 = -2; then
		// softmax of 1, 1, -2, 0: e, e, e^-2, 1 over 2e+e^-2+1 = 6.57191.
		{"repetition penalty 2", Sampling{Temperature: 1, RepetitionPenalty: 2}, []float32{2, 1, -1, 0}, []int32{0, 2},
			[]float64{0.41362, 0.41362, 0.02059, 0.15216}},
		{"repetition penalty 1 is none", Sampling{Temperature: 1, RepetitionPenalty: 1}, base, []int32{0}, []float64{0.4, 0.3, 0.2, 0.1}},
		// Top-p below 1/V with equal logits: every token is below the
		// pre-sort cut, yet the nucleus is the first token.
		{"top-p 0.1 of two equal tokens", Sampling{Temperature: 1, TopP: 0.1}, []float32{0, 0}, nil, []float64{1, 0}},
		{"top-p 0.5 of one token", Sampling{Temperature: 1, TopP: 0.5}, []float32{3}, nil, []float64{1}},
		{"greedy takes the first of tied maxima", Sampling{}, []float32{1, 3, 3, 0}, nil, []float64{0, 1, 0, 0}},
		// 3/2 = 1.5 falls below 2.5.
		{"greedy after the penalty", Sampling{RepetitionPenalty: 2}, []float32{3, 2.5, 0, 0}, []int32{0}, []float64{0, 1, 0, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sm := newSampler(c.s, len(c.logits), 0)
			sm.observe(c.seen...)
			n := sm.distribution(c.logits)
			got := make([]float64, len(c.logits))
			for _, id := range sm.idx[:n] {
				got[id] = sm.probs[id]
			}
			for i := range got {
				if math.Abs(got[i]-c.want[i]) > 1e-4 {
					t.Fatalf("distribution %.5f, want %.5f", got, c.want)
				}
			}
		})
	}
}

// TestSamplingDraws checks that draws follow the filtered distribution, and
// that a seed fixes them.
func TestSamplingDraws(t *testing.T) {
	logits := []float32{float32(math.Log(0.4)), float32(math.Log(0.3)), float32(math.Log(0.2)), float32(math.Log(0.1))}
	s := Sampling{Temperature: 1, TopK: 3, Seed: 42}
	draw := func(s Sampling, n int) []int32 {
		sm := newSampler(s, len(logits), 0)
		out := make([]int32, n)
		for i := range out {
			out[i] = sm.next(logits)
		}
		return out
	}
	const n = 20000
	counts := make([]float64, len(logits))
	for _, id := range draw(s, n) {
		counts[id]++
	}
	want := []float64{4.0 / 9, 3.0 / 9, 2.0 / 9, 0}
	for i, c := range counts {
		// Five standard deviations of a binomial proportion.
		if tol := 5 * math.Sqrt(want[i]*(1-want[i])/n); math.Abs(c/n-want[i]) > tol+1e-12 {
			t.Errorf("token %d drawn %.4f of the time, want %.4f", i, c/n, want[i])
		}
	}
	a, b := draw(s, 50), draw(s, 50)
	s.Seed++
	other := draw(s, 50)
	if !equalIDs(a, b) {
		t.Error("the same seed gave different draws")
	}
	if equalIDs(a, other) {
		t.Error("seeds 42 and 43 gave the same 50 draws")
	}
}

func equalIDs(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSamplingValidate checks that each out-of-range setting is an error
// naming its flag, and that the edges of the ranges are accepted.
func TestSamplingValidate(t *testing.T) {
	bad := []struct {
		s    Sampling
		flag string
	}{
		{Sampling{Temperature: -0.5}, "-temperature"},
		{Sampling{Temperature: math.NaN()}, "-temperature"},
		{Sampling{Temperature: math.Inf(1)}, "-temperature"},
		{Sampling{TopK: -1}, "-top-k"},
		{Sampling{TopP: 1.5}, "-top-p"},
		{Sampling{TopP: -0.1}, "-top-p"},
		{Sampling{TopP: math.NaN()}, "-top-p"},
		{Sampling{MinP: -0.1}, "-min-p"},
		{Sampling{MinP: 1.01}, "-min-p"},
		{Sampling{RepetitionPenalty: -1}, "-repetition-penalty"},
		{Sampling{RepetitionPenalty: math.NaN()}, "-repetition-penalty"},
	}
	for _, c := range bad {
		err := c.s.Validate()
		if err == nil || !strings.Contains(err.Error(), "flag "+c.flag+" ") {
			t.Errorf("%+v: error %v, want one naming flag %s", c.s, err, c.flag)
		}
	}
	for _, s := range []Sampling{{}, {Temperature: 0.7, TopK: 0, TopP: 1, MinP: 0}, {Temperature: 1, TopP: 0.01, MinP: 1, RepetitionPenalty: 0.5}} {
		if err := s.Validate(); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
}
