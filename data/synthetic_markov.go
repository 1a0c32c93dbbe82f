package data

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sort"
)

// syntheticPreset describes one Markov kind of Synthetic.
type syntheticPreset struct {
	name    string
	content int     // number of content tokens, a power of two <= 2^15
	order   int     // Markov order: 1 or 2
	support int     // tokens per context, a power of two <= 64
	spread  float64 // standard deviation of the log-weights in a support
	// Copy episodes: probability copyQ/65536 at each base step, offsets
	// offStep*(1..offsets), lengths lenStep*(1..lengths); offsets and
	// lengths are powers of two. copyQ = 0 disables copies.
	copyQ            uint64
	offsets, offStep int
	lengths, lenStep int
}

var syntheticPresets = []syntheticPreset{
	{name: "markov1", content: 512, order: 1, support: 16, spread: 1.5},
	{name: "ngram3", content: 256, order: 2, support: 8, spread: 1.5},
	{name: "copy", content: 512, order: 1, support: 16, spread: 1.5,
		copyQ: 3277, offsets: 16, offStep: 8, lengths: 8, lenStep: 4},
	{name: "mix", content: 256, order: 2, support: 8, spread: 1.5,
		copyQ: 1311, offsets: 32, offStep: 16, lengths: 16, lenStep: 4},
}

// markovChain is the process of the Markov presets: a sparse chain of order
// 1 or 2 over the content tokens, with optional copy episodes (see the
// Synthetic documentation).
type markovChain struct {
	p syntheticPreset

	shift   uint   // log2 of the content size
	ctxMask uint64 // contexts are the last `order` content tokens, packed
	// Per context, the k columns of its alias table (drawCell) and, for
	// each column, -log p of its own token and of its alias token.
	cells   []uint64
	sideNLL []float64

	startCum  []float64 // cumulative stationary distribution over contexts
	startNLL  []float64 // -log pi(context)
	firstNLL  []float64 // order 2: -log of the first token's marginal
	copyStart int       // first position at which a copy may start
	warmUp    int       // first position from which the process is stationary

	rate, rateErr float64
}

// newMarkovChain draws the chain of preset p from rng and computes its
// stationary distribution and entropy rate.
func newMarkovChain(p syntheticPreset, rng *rand.Rand) (*markovChain, error) {
	c := &markovChain{p: p, shift: uint(bits.TrailingZeros(uint(p.content)))}
	c.ctxMask = 1<<(c.shift*uint(p.order)) - 1
	c.buildTables(rng)
	pi, piErr, err := stationary(c)
	if err != nil {
		return nil, err
	}
	c.setStart(pi)
	c.rate, c.rateErr = c.closedFormRate(pi, piErr)
	c.warmUp = p.order
	if p.copyQ > 0 {
		// A copy at position t first copies position t+3 from t+3-o.
		c.copyStart = max(p.order, p.offStep-3)
		c.warmUp = max(p.order, p.offsets*p.offStep-3)
	}
	return c, nil
}

// eot is the id after the content and copy tokens.
func (c *markovChain) eot() int32 {
	n := c.p.content
	if c.p.copyQ > 0 {
		n += 1 + c.p.offsets + c.p.lengths
	}
	return int32(n)
}

// copyMarker, offsetToken and lengthToken give the ids of the copy tokens.
func (c *markovChain) copyMarker() int32       { return int32(c.p.content) }
func (c *markovChain) offsetToken(i int) int32 { return int32(c.p.content + 1 + i) }
func (c *markovChain) lengthToken(i int) int32 { return int32(c.p.content + 1 + c.p.offsets + i) }
func (c *markovChain) numContexts() int        { return int(c.ctxMask) + 1 }
func (c *markovChain) nextContext(ctx uint64, tok int32) uint64 {
	return (ctx<<c.shift | uint64(tok)) & c.ctxMask
}

// buildTables draws each context's support and probabilities and builds its
// alias table.
func (c *markovChain) buildTables(rng *rand.Rand) {
	k, n := c.p.support, c.numContexts()
	c.cells = make([]uint64, n*k)
	c.sideNLL = make([]float64, 2*n*k)
	supp := make([]int32, k)
	w := make([]float64, k)
	q := make([]uint64, k)
	cols := make([]aliasCell, k)
	total := uint64(k) << 32
	for ctx := range n {
		for j := range supp {
			for {
				t := int32(rng.IntN(c.p.content))
				if !slices.Contains(supp[:j], t) {
					supp[j] = t
					break
				}
			}
			w[j] = math.Exp(c.p.spread * rng.NormFloat64())
		}
		quantize(q, w, total)
		buildAlias(cols, q)
		for col, cell := range cols {
			i, other := ctx*k+col, cell>>aliasShift
			c.cells[i] = drawCell(cell&aliasMask, supp[col], supp[other])
			c.sideNLL[2*i] = -math.Log(float64(q[col]) / float64(total))
			c.sideNLL[2*i+1] = -math.Log(float64(q[other]) / float64(total))
		}
	}
}

// setStart prepares sampling of a document's first context from pi.
func (c *markovChain) setStart(pi []float64) {
	c.startCum = make([]float64, len(pi))
	c.startNLL = make([]float64, len(pi))
	sum := 0.0
	for ctx, v := range pi {
		sum += v
		c.startCum[ctx] = sum
		c.startNLL[ctx] = -math.Log(v)
	}
	if c.p.order == 2 {
		marg := make([]float64, c.p.content)
		for ctx, v := range pi {
			marg[ctx>>c.shift] += v
		}
		c.firstNLL = make([]float64, len(marg))
		for a, v := range marg {
			c.firstNLL[a] = -math.Log(v)
		}
	}
}

// generate draws a document. Each step takes one 64-bit draw r: its low 16
// bits decide a copy, bits 16..47 the alias test and the top bits the
// alias column (or, for a copy, bits 16.. the offset and bits 32.. the
// length).
func (c *markovChain) generate(state uint64, x []int32, nll []float64) {
	n, withNLL := len(x), nll != nil
	if n == 0 {
		return
	}
	// The first context, drawn from the stationary distribution.
	total := c.startCum[len(c.startCum)-1]
	u := float64(splitMix(&state)>>11) * 0x1p-53 * total
	ctx := uint64(sort.Search(len(c.startCum), func(i int) bool { return c.startCum[i] > u }))
	ctx = min(ctx, uint64(len(c.startCum)-1))
	pos := 0
	if c.p.order == 2 {
		a := int32(ctx >> c.shift)
		x[0] = a
		if withNLL {
			nll[0] = c.firstNLL[a]
		}
		pos = 1
		if n > 1 {
			x[1] = int32(ctx) & (int32(c.p.content) - 1)
			if withNLL {
				nll[1] = c.startNLL[ctx] - c.firstNLL[a]
			}
			pos = 2
		}
	} else {
		x[0] = int32(ctx)
		if withNLL {
			nll[0] = c.startNLL[ctx]
		}
		pos = 1
	}

	var (
		k       = uint64(c.p.support)
		colBits = uint(64 - bits.TrailingZeros64(k))
		cells   = c.cells
		sideNLL = c.sideNLL
		copyQ   = c.p.copyQ
		lenMask = uint64(c.p.lengths - 1)
		keepNLL = 0.0
		copyNLL = [3]float64{}
	)
	if copyQ > 0 {
		q := float64(copyQ) / 65536
		keepNLL = -math.Log1p(-q)
		copyNLL = [3]float64{-math.Log(q), 0, math.Log(float64(c.p.lengths))}
	}
	for pos < n {
		r := splitMix(&state)
		copyOK := copyQ > 0 && pos >= c.copyStart
		if copyOK && r&0xffff < copyQ {
			m := c.offsetChoices(pos)
			oi, li := int(r>>16)&(m-1), int(r>>32&lenMask)
			head := [3]int32{c.copyMarker(), c.offsetToken(oi), c.lengthToken(li)}
			copyNLL[1] = math.Log(float64(m))
			for h := 0; h < 3 && pos < n; h++ {
				x[pos] = head[h]
				if withNLL {
					nll[pos] = copyNLL[h]
				}
				pos++
			}
			o := (oi + 1) * c.p.offStep
			for end := min(n, pos+(li+1)*c.p.lenStep); pos < end; pos++ {
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
		ctx = (ctx<<c.shift | uint64(tok)) & c.ctxMask
		pos++
	}
}

// offsetChoices returns m, the number of offsets a copy starting at position
// pos >= copyStart draws from: the largest power of two up to the preset's
// number of offsets such that the copy's first token, at pos+3, has its
// source at or after position 0.
func (c *markovChain) offsetChoices(pos int) int {
	fit := (pos + 3) / c.p.offStep
	if fit >= c.p.offsets {
		return c.p.offsets
	}
	return 1 << (bits.Len(uint(fit)) - 1)
}
