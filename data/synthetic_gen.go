package data

import (
	"hash/fnv"
	"math"
	"math/bits"
	"sort"
)

// docState returns the initial random state of document i: a function of
// (kind, seed, i) only, so documents are independent of each other.
func (s *Synthetic) docState(i uint64) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s.kind))
	return mix64(mix64(s.seed^mix64(h.Sum64())) + i*0x9e3779b97f4a7c15)
}

// Doc returns document i of n tokens (an empty document when n <= 0).
func (s *Synthetic) Doc(i uint64, n int) []int32 {
	x, _ := s.generate(i, n, false)
	return x
}

// DocNLL returns document i of n tokens and, for each token, -log p(x_t |
// x_<t) in nats under the source itself: the loss of the ideal model that
// sees the document from its start.
func (s *Synthetic) DocNLL(i uint64, n int) ([]int32, []float64) {
	return s.generate(i, n, true)
}

// generate draws document i; it fills nll when withNLL is set. Each step
// takes one 64-bit SplitMix64 draw r: its low 16 bits decide a copy, bits
// 16..47 the alias test and the top bits the alias column (or, for a copy,
// bits 16.. the offset and bits 32.. the length).
func (s *Synthetic) generate(i uint64, n int, withNLL bool) ([]int32, []float64) {
	if n <= 0 {
		return []int32{}, nil
	}
	x := make([]int32, n)
	var nll []float64
	if withNLL {
		nll = make([]float64, n)
	}
	state := s.docState(i)
	next := func() uint64 { // SplitMix64
		state += 0x9e3779b97f4a7c15
		return mix64(state)
	}

	// The first context, drawn from the stationary distribution.
	total := s.startCum[len(s.startCum)-1]
	u := float64(next()>>11) * 0x1p-53 * total
	ctx := uint64(sort.Search(len(s.startCum), func(c int) bool { return s.startCum[c] > u }))
	ctx = min(ctx, uint64(len(s.startCum)-1))
	pos := 0
	if s.p.order == 2 {
		a := int32(ctx >> s.shift)
		x[0] = a
		if withNLL {
			nll[0] = s.firstNLL[a]
		}
		pos = 1
		if n > 1 {
			x[1] = int32(ctx) & (int32(s.p.content) - 1)
			if withNLL {
				nll[1] = s.startNLL[ctx] - s.firstNLL[a]
			}
			pos = 2
		}
	} else {
		x[0] = int32(ctx)
		if withNLL {
			nll[0] = s.startNLL[ctx]
		}
		pos = 1
	}

	var (
		k       = uint64(s.p.support)
		colBits = uint(64 - bits.TrailingZeros64(k))
		cells   = s.cells
		sideNLL = s.sideNLL
		copyQ   = s.p.copyQ
		lenMask = uint64(s.p.lengths - 1)
		keepNLL = 0.0
		copyNLL = [3]float64{}
	)
	if copyQ > 0 {
		q := float64(copyQ) / 65536
		keepNLL = -math.Log1p(-q)
		copyNLL = [3]float64{-math.Log(q), 0, math.Log(float64(s.p.lengths))}
	}
	for pos < n {
		r := next()
		copyOK := copyQ > 0 && pos >= s.copyStart
		if copyOK && r&0xffff < copyQ {
			m := s.offsetChoices(pos)
			oi, li := int(r>>16)&(m-1), int(r>>32&lenMask)
			head := [3]int32{s.copyMarker(), s.offsetToken(oi), s.lengthToken(li)}
			copyNLL[1] = math.Log(float64(m))
			for h := 0; h < 3 && pos < n; h++ {
				x[pos] = head[h]
				if withNLL {
					nll[pos] = copyNLL[h]
				}
				pos++
			}
			o := (oi + 1) * s.p.offStep
			for end := min(n, pos+(li+1)*s.p.lenStep); pos < end; pos++ {
				x[pos] = x[pos-o] // its nll stays 0: the token is certain
			}
			continue
		}
		i := ctx*k + r>>colBits
		cell := cells[i]
		tok, side := int32(cell>>cellSelf&cellTokMask), uint64(0)
		if r>>16&0xffffffff >= cell&cellShareMask {
			tok, side = int32(cell>>cellAlias&cellTokMask), 1
		}
		x[pos] = tok
		if withNLL {
			nll[pos] = sideNLL[2*i+side]
			if copyOK {
				nll[pos] += keepNLL
			}
		}
		ctx = (ctx<<s.shift | uint64(tok)) & s.ctxMask
		pos++
	}
	return x, nll
}

// offsetChoices returns m, the number of offsets a copy starting at position
// pos >= copyStart draws from: the largest power of two up to the preset's
// number of offsets such that the copy's first token, at pos+3, has its
// source at or after position 0.
func (s *Synthetic) offsetChoices(pos int) int {
	fit := (pos + 3) / s.p.offStep
	if fit >= s.p.offsets {
		return s.p.offsets
	}
	return 1 << (bits.Len(uint(fit)) - 1)
}
