package infer

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Sampling says how the next token is chosen from the logits. The zero value
// is greedy decoding. The filters apply in the order of Hugging Face's
// generate: the repetition penalty on the logits, then the temperature, then
// top-k, top-p and min-p on the probabilities; the token is drawn from what
// is left, renormalised. Each field names the cmd/generate flag that sets it.
type Sampling struct {
	// Temperature divides the logits (-temperature); 0 takes the most
	// likely token (greedy) and ignores the filters and the seed.
	Temperature float64
	// TopK keeps the k most likely tokens (-top-k); 0 keeps all.
	TopK int
	// TopP keeps the smallest set of most likely tokens whose probabilities
	// add up to at least TopP (-top-p, nucleus sampling); 0 or 1 keeps all.
	TopP float64
	// MinP keeps the tokens at least MinP times as likely as the most likely
	// one (-min-p); 0 keeps all.
	MinP float64
	// RepetitionPenalty divides the positive logits and multiplies the
	// negative ones of every token already in the sequence, prompt
	// included (-repetition-penalty, as in CTRL and Hugging Face); 0 or 1
	// is none.
	RepetitionPenalty float64
	// Seed seeds the random draws (-seed): the same seed, model and prompt
	// give the same text.
	Seed uint64
}

// Validate reports the first setting out of range, naming its flag.
func (s Sampling) Validate() error {
	switch {
	case !(s.Temperature >= 0) || math.IsInf(s.Temperature, 0):
		return fmt.Errorf("flag -temperature %v: want a finite number >= 0 (0: greedy)", s.Temperature)
	case s.TopK < 0:
		return fmt.Errorf("flag -top-k %d: want an integer >= 0 (0: off)", s.TopK)
	case s.TopP != 0 && !(s.TopP > 0 && s.TopP <= 1):
		return fmt.Errorf("flag -top-p %v: want a number in (0, 1] (1: off)", s.TopP)
	case !(s.MinP >= 0 && s.MinP <= 1):
		return fmt.Errorf("flag -min-p %v: want a number in [0, 1] (0: off)", s.MinP)
	case s.RepetitionPenalty != 0 && !(s.RepetitionPenalty > 0) || math.IsInf(s.RepetitionPenalty, 0):
		return fmt.Errorf("flag -repetition-penalty %v: want a finite number > 0 (1: off)", s.RepetitionPenalty)
	}
	return nil
}

// sampler draws tokens for one sequence; its scratch is sized once for the
// vocabulary, so a draw allocates nothing.
type sampler struct {
	s     Sampling
	rng   *rand.Rand
	probs []float64 // per token: the logit, then the probability
	idx   []int32   // candidate ids, most likely first once sorted
	seen  []bool    // tokens already in the sequence (repetition penalty)
}

// newSampler returns a sampler for s over vocab tokens; stream tells apart
// the sequences of one batch, so each draws its own random numbers.
func newSampler(s Sampling, vocab int, stream uint64) *sampler {
	sm := &sampler{s: s, probs: make([]float64, vocab), idx: make([]int32, vocab)}
	sm.rng = rand.New(rand.NewPCG(s.Seed, 0x9e3779b97f4a7c15+stream))
	if s.RepetitionPenalty != 0 && s.RepetitionPenalty != 1 {
		sm.seen = make([]bool, vocab)
	}
	return sm
}

// observe records tokens of the sequence for the repetition penalty.
func (sm *sampler) observe(ids ...int32) {
	if sm.seen == nil {
		return
	}
	for _, id := range ids {
		sm.seen[id] = true
	}
}

// next picks the next token from one row of logits.
func (sm *sampler) next(logits []float32) int32 {
	n := sm.distribution(logits)
	if n == 1 {
		return sm.idx[0]
	}
	u := sm.rng.Float64()
	for _, id := range sm.idx[:n] {
		u -= sm.probs[id]
		if u < 0 {
			return id
		}
	}
	return sm.idx[n-1] // u within rounding of 1
}

// distribution applies the penalty, the temperature and the filters to
// logits and leaves the candidates in idx[:n] (most likely first, ties by
// id) with their renormalised probabilities in probs; at temperature 0 the
// only candidate is the argmax (the first on ties, as torch.argmax).
func (sm *sampler) distribution(logits []float32) (n int) {
	s := sm.s
	p := sm.probs[:len(logits)]
	for i, v := range logits {
		x := float64(v)
		if sm.seen != nil && sm.seen[i] {
			if x > 0 {
				x /= s.RepetitionPenalty
			} else {
				x *= s.RepetitionPenalty
			}
		}
		p[i] = x
	}
	best := 0
	for i, x := range p {
		if x > p[best] {
			best = i
		}
	}
	if s.Temperature == 0 {
		sm.idx[0] = int32(best)
		p[best] = 1
		return 1
	}
	mx := p[best]
	var sum float64
	for i, x := range p {
		e := math.Exp((x - mx) / s.Temperature)
		p[i] = e
		sum += e
	}
	topP := s.TopP > 0 && s.TopP < 1
	var idx []int32
	switch {
	case s.TopK > 0 && s.TopK < len(p):
		idx = sm.topK(s.TopK)
		sum = 0
		for _, id := range idx {
			sum += p[id]
		}
	case topP:
		// A token with probability below (1-topP)/(V-1) is never in the
		// nucleus (those tokens together hold less than 1-topP): drop them
		// before sorting, as llama2.c does.
		// The argument needs the most likely token (e = 1) above the cut;
		// when it is not (top-p below 1/V, or V = 1), nothing is dropped.
		cut := (1 - s.TopP) / float64(len(p)-1) * sum
		if !(cut <= 1) {
			cut = 0
		}
		idx = sm.idx[:0]
		for i, e := range p {
			if e >= cut {
				idx = append(idx, int32(i))
			}
		}
		slices.SortFunc(idx, sm.order)
	default:
		idx = sm.idx[:len(p)]
		for i := range idx {
			idx[i] = int32(i)
		}
	}
	if topP {
		var acc float64
		for i, id := range idx {
			acc += p[id]
			if acc >= s.TopP*sum {
				idx = idx[:i+1]
				break
			}
		}
	}
	if s.MinP > 0 {
		// The most likely token has e = exp(0) = 1, and renormalising does
		// not change ratios, so the cut is MinP itself.
		kept := idx[:0]
		for _, id := range idx {
			if p[id] >= s.MinP {
				kept = append(kept, id)
			}
		}
		idx = kept
	}
	if len(idx) == 0 {
		// Only NaN logits leave no candidate: fall back to the argmax.
		sm.idx[0] = int32(best)
		p[best] = 1
		return 1
	}
	var kept float64
	for _, id := range idx {
		kept += p[id]
	}
	for _, id := range idx {
		p[id] /= kept
	}
	return len(idx)
}

// order sorts token ids most likely first, ties by id.
func (sm *sampler) order(a, b int32) int {
	if c := cmp.Compare(sm.probs[b], sm.probs[a]); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

// topK returns the k most likely tokens, sorted, in idx[:k]: a min-heap of
// the best k seen so far (its root the worst of them) over one pass of the
// vocabulary, then a sort of the k.
func (sm *sampler) topK(k int) []int32 {
	h := sm.idx[:k]
	for i := range h {
		h[i] = int32(i)
	}
	for i := k/2 - 1; i >= 0; i-- {
		sm.siftDown(h, i)
	}
	for id := k; id < len(sm.probs); id++ {
		if sm.order(int32(id), h[0]) < 0 {
			h[0] = int32(id)
			sm.siftDown(h, 0)
		}
	}
	slices.SortFunc(h, sm.order)
	return h
}

// siftDown restores the heap property (every parent worse than or as good
// as its children in order) below position i of h.
func (sm *sampler) siftDown(h []int32, i int) {
	for {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && sm.order(h[l], h[worst]) > 0 {
			worst = l
		}
		if r < len(h) && sm.order(h[r], h[worst]) > 0 {
			worst = r
		}
		if worst == i {
			return
		}
		h[i], h[worst] = h[worst], h[i]
		i = worst
	}
}
