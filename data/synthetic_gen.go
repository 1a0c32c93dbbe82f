package data

import "hash/fnv"

// docState returns the initial random state of document i: a function of
// (kind, seed, i) only, so documents are independent of each other.
func (s *Synthetic) docState(i uint64) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s.kind))
	return mix64(mix64(s.seed^mix64(h.Sum64())) + i*0x9e3779b97f4a7c15)
}

// splitMix advances a SplitMix64 state and returns its next 64-bit draw:
// the random stream every synthetic document is drawn from.
func splitMix(state *uint64) uint64 {
	*state += 0x9e3779b97f4a7c15
	return mix64(*state)
}

// Doc returns document i of n tokens (an empty document when n <= 0).
func (s *Synthetic) Doc(i uint64, n int) []int32 {
	x := make([]int32, max(n, 0))
	s.proc.generate(s.docState(i), x, nil)
	return x
}

// DocNLL returns document i of n tokens and, for each token, -log p(x_t |
// x_<t) in nats under the source itself: the loss of the ideal model that
// sees the document from its start.
func (s *Synthetic) DocNLL(i uint64, n int) ([]int32, []float64) {
	x := make([]int32, max(n, 0))
	nll := make([]float64, len(x))
	s.proc.generate(s.docState(i), x, nll)
	return x, nll
}
