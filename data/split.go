package data

import (
	"errors"
	"fmt"
	"hash/fnv"
)

// Split divides c's documents into training and validation sets. Each whole
// document goes to validation when a hash of (seed, its content) falls below
// valFraction, so the split is stable under reordering or adding documents,
// and identical documents always land on the same side. Both sets keep the
// corpus order.
//
// With at least two documents and valFraction > 0, neither set is left
// empty: if the hash puts every document on one side, the document closest
// to the threshold moves to the other. A single document always goes to
// training. An empty corpus or a valFraction outside [0, 1) is an error.
func Split(c *Corpus, valFraction float64, seed uint64) (train, val [][]byte, err error) {
	if c == nil || len(c.Docs) == 0 {
		return nil, nil, errors.New("split: corpus has no documents")
	}
	if !(valFraction >= 0 && valFraction < 1) {
		return nil, nil, fmt.Errorf("split %s: validation fraction %v outside [0, 1)", c.Name, valFraction)
	}
	var scan splitScan
	u := make([]float64, len(c.Docs))
	for i, d := range c.Docs {
		u[i] = docUniform(d, seed)
		scan.observe(int64(i), u[i], valFraction)
	}
	plan := scan.plan(valFraction, seed)
	for i, d := range c.Docs {
		if plan.isVal(int64(i), u[i]) {
			val = append(val, d)
		} else {
			train = append(train, d)
		}
	}
	return train, val, nil
}

// docUniform maps (doc content, seed) to a number in [0, 1).
func docUniform(doc []byte, seed uint64) float64 {
	h := fnv.New64a()
	h.Write(doc)
	x := mix64(h.Sum64() ^ mix64(seed))
	return float64(x>>11) / (1 << 53)
}

// mix64 is the SplitMix64 finalizer, a bijective scrambling of 64 bits.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// splitPlan decides the side of each document, by index and hash, for Split
// and for streaming preparation alike. Split keeps both sides non-empty by
// moving one document, which a stream only learns at its end; a streaming
// pass therefore starts with no override, observes every document with a
// splitScan, and is run again with the override the scan asks for in the
// rare case (tiny corpora) where the plan changes.
type splitPlan struct {
	valFraction float64
	seed        uint64
	forceVal    int64 // document index put in validation whatever its hash, or -1
	forceTrain  int64 // document index kept in training whatever its hash, or -1
}

func newSplitPlan(valFraction float64, seed uint64) splitPlan {
	return splitPlan{valFraction: valFraction, seed: seed, forceVal: -1, forceTrain: -1}
}

// isVal reports whether document i, whose hash is u, goes to validation.
func (p splitPlan) isVal(i int64, u float64) bool {
	switch i {
	case p.forceVal:
		return true
	case p.forceTrain:
		return false
	}
	return u < p.valFraction
}

// splitScan follows a pass in document order and finds the override Split
// would apply: with at least two documents and a positive fraction, if no
// document hashes below the fraction the lowest hash goes to validation,
// and if all do the highest stays in training (first index on ties).
type splitScan struct {
	n, nVal  int64
	lo, hi   int64
	uLo, uHi float64
}

// observe records document i with hash u; calls come in index order.
func (s *splitScan) observe(i int64, u float64, valFraction float64) {
	if u < valFraction {
		s.nVal++
	}
	if s.n == 0 || u < s.uLo {
		s.lo, s.uLo = i, u
	}
	if s.n == 0 || u > s.uHi {
		s.hi, s.uHi = i, u
	}
	s.n++
}

// plan returns the plan with the override that the observed pass calls for.
func (s *splitScan) plan(valFraction float64, seed uint64) splitPlan {
	p := newSplitPlan(valFraction, seed)
	if s.n >= 2 && valFraction > 0 {
		switch s.nVal {
		case 0:
			p.forceVal = s.lo
		case s.n:
			p.forceTrain = s.hi
		}
	}
	return p
}
