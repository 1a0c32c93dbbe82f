package data

// splitUniform is Split's per-document hash: IsValDoc(doc, f, seed) is
// splitUniform(doc, seed) < f. Streaming preparation needs the value itself,
// not only the decision, to reproduce Split's rule that keeps both sides
// non-empty.
func splitUniform(doc []byte, seed uint64) float64 { return docUniform(doc, seed) }

// splitPlan decides the side of each document of a stream as Split does for
// the same documents in the same order. Split keeps both sides non-empty by
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
