// Package ngram is the count-based baseline the neural families are
// compared with: an interpolated Kneser-Ney n-gram language model (Kneser
// and Ney 1995; Chen and Goodman 1998, section 3), fitted by counting the
// n-grams of token windows and scored in nats per token.
//
// A model is fitted on windows of tokens, the windows a neural run of the
// same budget trains on. Each window is read as if it began with a start
// symbol, so the first tokens of a window are predicted from the start
// symbol and what precedes them in the window, the way a neural model sees
// a window from an empty context; the start symbol is never predicted. The
// counts live in sorted arrays (one per order) searched by binary search:
// memory is about 20 bytes per distinct n-gram, and fitting is a sort.
package ngram

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// MaxOrder is the longest n-gram a model counts: 5 ids of 24 bits fill the
// 128 bits of a key.
const MaxOrder = 5

// idBits is the width of one token id in a key; ids are below 2^24 - 1
// (the largest vocabulary model.Config accepts), and 2^24 - 1 is kept for
// the start symbol.
const idBits = 24

// key is an n-gram of up to MaxOrder ids, packed first id highest, so that
// sorting keys groups the n-grams of one context together.
type key struct{ hi, lo uint64 }

func (a key) compare(b key) int {
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	return cmp.Compare(a.lo, b.lo)
}

// push returns k with id appended as its last token.
func (k key) push(id uint32) key {
	return key{hi: k.hi<<idBits | k.lo>>(64-idBits), lo: k.lo<<idBits | uint64(id)}
}

// gramOf packs ids (at most MaxOrder) into a key.
func gramOf(ids []uint32) key {
	var k key
	for _, id := range ids {
		k = k.push(id)
	}
	return k
}

// first returns the first id of a k-gram.
func (k key) first(order int) uint32 {
	shift := uint(idBits * (order - 1))
	var v uint64
	if shift >= 64 {
		v = k.hi >> (shift - 64)
	} else {
		v = k.lo>>shift | k.hi<<(64-shift)
	}
	return uint32(v & (1<<idBits - 1))
}

// dropFirst returns the (order-1)-gram after the first id of a k-gram.
func (k key) dropFirst(order int) key {
	shift := uint(idBits * (order - 1))
	if shift >= 64 {
		return key{hi: k.hi & (1<<(shift-64) - 1), lo: k.lo}
	}
	return key{lo: k.lo & (1<<shift - 1)}
}

// dropLast returns the context of a k-gram: all but its last id.
func (k key) dropLast() key {
	return key{hi: k.hi >> idBits, lo: k.lo>>idBits | k.hi<<(64-idBits)}
}

// table is the statistics of one order: its n-grams sorted, each with its
// Kneser-Ney count (the raw count at the highest order; below it the number
// of distinct tokens seen before the n-gram, or its raw count when it
// starts with the start symbol), and its contexts sorted, each with the sum
// of its n-grams' counts and how many distinct tokens follow it.
type table struct {
	grams  []key
	counts []uint32
	ctx    []key
	total  []uint64
	types  []uint32
	// discount is Ney's estimate n1/(n1+2*n2) from the numbers of n-grams
	// whose count is 1 and 2.
	discount float64
}

// Model is an interpolated Kneser-Ney model of Order, over a vocabulary of
// Vocab token ids.
type Model struct {
	Order, Vocab int
	// Tokens is the number of tokens predicted in the training windows.
	Tokens int
	tables []table // tables[k-1] is order k
}

// start is the start symbol's id in keys.
const start = 1<<idBits - 1

// Fit counts the n-grams of order 1..order in the windows and returns the
// model. A window is read as a neural model reads one: its first token is
// context only, every later token is predicted from the tokens before it
// in the window (and the start symbol). Every id must be in [0, vocab).
func Fit(windows [][]int32, order, vocab int) (*Model, error) {
	if order < 1 || order > MaxOrder {
		return nil, fmt.Errorf("ngram: order %d: want 1..%d", order, MaxOrder)
	}
	if vocab < 1 || vocab >= start {
		return nil, fmt.Errorf("ngram: vocabulary %d: want 1..%d", vocab, start-1)
	}
	m := &Model{Order: order, Vocab: vocab, tables: make([]table, order)}
	for wi, w := range windows {
		for i, id := range w {
			if id < 0 || int(id) >= vocab {
				return nil, fmt.Errorf("ngram: window %d: id %d at position %d is outside the vocabulary [0, %d)", wi, id, i, vocab)
			}
		}
		m.Tokens += max(len(w)-1, 0)
	}
	var above []key // the distinct grams of the order above
	for k := order; k >= 1; k-- {
		grams, counts := countRuns(occurrences(windows, k))
		if k < order {
			// Continuation counts: each distinct (k+1)-gram is one left
			// extension of its last k ids.
			suffixes := make([]key, len(above))
			for i, g := range above {
				suffixes[i] = g.dropFirst(k + 1)
			}
			sg, sc := countRuns(suffixes)
			j := 0
			for i, g := range grams {
				if k > 1 && g.first(k) == start {
					continue // nothing precedes the start symbol: keep the raw count
				}
				for j < len(sg) && sg[j].compare(g) < 0 {
					j++
				}
				counts[i] = 0
				if j < len(sg) && sg[j] == g {
					counts[i] = sc[j]
				}
			}
		}
		above = grams
		m.tables[k-1] = newTable(dropZero(slices.Clone(grams), slices.Clone(counts)))
	}
	return m, nil
}

// occurrences lists every k-gram occurrence of the windows that predicts a
// token: its last id at position 1 or later of a window, its first ids
// the start symbol and the window's tokens before it.
func occurrences(windows [][]int32, k int) []key {
	var out []key
	var padded [MaxOrder]uint32
	for _, w := range windows {
		for end := 1; end < len(w); end++ {
			n := 0
			if end-k+1 < 0 {
				if end-k+1 < -1 {
					continue // longer than the start symbol and the window's tokens before it
				}
				padded[0], n = start, 1
			}
			for i := max(end-k+1, 0); i <= end; i++ {
				padded[n] = uint32(w[i])
				n++
			}
			out = append(out, gramOf(padded[:n]))
		}
	}
	return out
}

// countRuns sorts keys and returns the distinct ones with how often each
// occurs.
func countRuns(keys []key) ([]key, []uint32) {
	slices.SortFunc(keys, key.compare)
	var grams []key
	var counts []uint32
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		grams = append(grams, keys[i])
		counts = append(counts, uint32(j-i))
		i = j
	}
	return grams, counts
}

// dropZero removes the n-grams whose count is 0, in place.
func dropZero(grams []key, counts []uint32) ([]key, []uint32) {
	n := 0
	for i, c := range counts {
		if c > 0 {
			grams[n], counts[n] = grams[i], c
			n++
		}
	}
	return grams[:n], counts[:n]
}

// newTable adds the context statistics and the discount to an order's
// n-grams.
func newTable(grams []key, counts []uint32) table {
	t := table{grams: grams, counts: counts}
	var n1, n2 float64
	for i, g := range grams {
		c := g.dropLast()
		if len(t.ctx) == 0 || t.ctx[len(t.ctx)-1] != c {
			t.ctx = append(t.ctx, c)
			t.total = append(t.total, 0)
			t.types = append(t.types, 0)
		}
		t.total[len(t.total)-1] += uint64(counts[i])
		t.types[len(t.types)-1]++
		switch counts[i] {
		case 1:
			n1++
		case 2:
			n2++
		}
	}
	t.discount = 0.5
	if n1 > 0 && n2 > 0 {
		t.discount = n1 / (n1 + 2*n2)
	}
	return t
}

// find returns the index of k in sorted keys, or -1.
func find(keys []key, k key) int {
	i, ok := slices.BinarySearchFunc(keys, k, key.compare)
	if !ok {
		return -1
	}
	return i
}

// Prob is the model's probability of token w after the context (the
// tokens before it, most recent last; at most Order-1 of them are used).
// A context shorter than Order-1 is read as starting a window: the start
// symbol precedes it. Prob sums to 1 over the vocabulary for any context.
func (m *Model) Prob(context []int32, w int32) float64 {
	var ids [MaxOrder]uint32
	n := min(len(context), m.Order-1)
	h := ids[:0]
	if n < m.Order-1 {
		h = append(h, start)
	}
	for _, id := range context[len(context)-n:] {
		h = append(h, uint32(id))
	}
	return m.prob(h, uint32(w))
}

// prob is P_k(w | h) with k = len(h)+1, interpolated down to the unigram
// distribution and, below it, the uniform one:
//
//	P_k(w|h) = max(c(hw) - D_k, 0)/c(h) + D_k * N(h)/c(h) * P_{k-1}(w|h')
//
// where c are the order's Kneser-Ney counts, c(h) their sum over w, N(h)
// the number of distinct w seen after h and h' is h without its first id;
// an unseen context passes all its mass to P_{k-1}.
func (m *Model) prob(h []uint32, w uint32) float64 {
	lower := 1 / float64(m.Vocab)
	for k := 1; k <= len(h)+1; k++ {
		t := &m.tables[k-1]
		ctx := h[len(h)-(k-1):]
		c := find(t.ctx, gramOf(ctx))
		if c < 0 {
			continue
		}
		total := float64(t.total[c])
		p := t.discount * float64(t.types[c]) / total * lower
		if g := find(t.grams, gramOf(ctx).push(w)); g >= 0 {
			p += math.Max(float64(t.counts[g])-t.discount, 0) / total
		}
		lower = p
	}
	return lower
}

// Loss is the mean negative log probability in nats of every token of the
// windows after its first, each predicted from the tokens before it in its
// window (and the start symbol), as a neural model scores a window; it
// also returns the number of tokens scored.
func (m *Model) Loss(windows [][]int32) (float64, int) {
	var sum float64
	n := 0
	for _, w := range windows {
		for i := 1; i < len(w); i++ {
			sum -= math.Log(m.Prob(w[max(0, i-m.Order+1):i], w[i]))
			n++
		}
	}
	if n == 0 {
		return math.NaN(), 0
	}
	return sum / float64(n), n
}

// Grams is the number of distinct n-grams of the highest order.
func (m *Model) Grams() int { return len(m.tables[m.Order-1].grams) }
