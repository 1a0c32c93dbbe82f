package data

import (
	"math"
	"slices"
)

const (
	// cacheMaxEntries bounds an encoder's pre-token cache; the cache is
	// emptied when it fills up.
	cacheMaxEntries = 1 << 16
	// cacheMaxWordLen is the longest pre-token, in bytes, that is cached.
	cacheMaxWordLen = 64
	// heapMinSymbols is the word length from which merges are applied with a
	// priority queue instead of a linear scan per merge.
	heapMinSymbols = 48
)

// encoder holds the scratch space and pre-token cache of one encoding
// goroutine. Encoders are pooled by their Tokenizer.
type encoder struct {
	t     *Tokenizer
	cache map[string][]int32
	ids   []int32
	pairs []ranked
	syms  []symbol
	queue minHeap[uint64]
}

// symbol is one token of a word being merged, in a doubly linked list.
type symbol struct {
	id         int32 // -1 once merged into its left neighbour
	prev, next int32 // indices in the word, -1 at the ends
}

func newEncoder(t *Tokenizer) *encoder {
	return &encoder{
		t:     t,
		cache: make(map[string][]int32),
		queue: minHeap[uint64]{less: func(a, b uint64) bool { return a < b }},
	}
}

// encode appends the ids of text to dst.
func (e *encoder) encode(dst []int32, text []byte) []int32 {
	if e.t.sp != nil {
		return e.encodePieces(dst, text)
	}
	for len(text) > 0 {
		n := pretokenLen(text)
		dst = e.encodeWord(dst, text[:n])
		text = text[n:]
	}
	return dst
}

// encodeWord appends the ids of one pre-token to dst, using the cache.
func (e *encoder) encodeWord(dst []int32, word []byte) []int32 {
	if len(word) == 1 {
		return append(dst, e.t.byteID[word[0]])
	}
	if len(word) > cacheMaxWordLen {
		return append(dst, e.merge(word)...)
	}
	if ids, ok := e.cache[string(word)]; ok {
		return append(dst, ids...)
	}
	ids := e.merge(word)
	if len(e.cache) >= cacheMaxEntries {
		clear(e.cache)
	}
	e.cache[string(word)] = append([]int32(nil), ids...)
	return append(dst, ids...)
}

// merge applies the merge rules to word, lowest rank first and leftmost
// first among equal ranks, which is the order the Hugging Face library uses.
// The result is valid until the next call.
func (e *encoder) merge(word []byte) []int32 {
	ids := e.ids[:0]
	for _, b := range word {
		ids = append(ids, e.t.byteID[b])
	}
	return e.mergeIDs(ids)
}

// mergeIDs applies the merge rules to the symbols ids, which it may
// overwrite, as merge does. The result is valid until the next call.
func (e *encoder) mergeIDs(ids []int32) []int32 {
	if len(ids) >= heapMinSymbols {
		ids = e.mergeQueue(ids)
	} else {
		ids = e.mergeScan(ids)
	}
	e.ids = ids
	return ids
}

// mergeScan keeps the rule of each adjacent pair in a slice and repeatedly
// merges the best one found by a linear scan, looking up only the two pairs
// that a merge changes. It is the fastest method for the short words that
// make up most text.
func (e *encoder) mergeScan(ids []int32) []int32 {
	if len(ids) < 2 {
		return ids
	}
	none := ranked{rank: math.MaxInt32}
	lookup := func(l, r int32) ranked {
		if m, ok := e.t.ranks[pairKey(l, r)]; ok {
			return m
		}
		return none
	}
	pairs := e.pairs[:0]
	for i := 0; i+1 < len(ids); i++ {
		pairs = append(pairs, lookup(ids[i], ids[i+1]))
	}
	for len(pairs) > 0 {
		best := 0
		for i, p := range pairs {
			if p.rank < pairs[best].rank {
				best = i
			}
		}
		if pairs[best].rank == math.MaxInt32 {
			break
		}
		ids[best] = pairs[best].result
		ids = slices.Delete(ids, best+1, best+2)
		pairs = slices.Delete(pairs, best, best+1)
		if best > 0 {
			pairs[best-1] = lookup(ids[best-1], ids[best])
		}
		if best < len(pairs) {
			pairs[best] = lookup(ids[best], ids[best+1])
		}
	}
	e.pairs = pairs
	return ids
}

// mergeQueue applies merges with a priority queue of candidate pairs keyed
// by (rank, position), in O(n log n) for a word of n bytes.
func (e *encoder) mergeQueue(ids []int32) []int32 {
	syms := e.syms[:0]
	for i, id := range ids {
		syms = append(syms, symbol{id: id, prev: int32(i - 1), next: int32(i + 1)})
	}
	syms[len(syms)-1].next = -1
	q := &e.queue
	q.items = q.items[:0]
	push := func(pos int32) {
		nx := syms[pos].next
		if nx < 0 {
			return
		}
		if r, ok := e.t.ranks[pairKey(syms[pos].id, syms[nx].id)]; ok {
			q.push(uint64(r.rank)<<32 | uint64(pos))
		}
	}
	for i := range syms {
		push(int32(i))
	}
	for len(q.items) > 0 {
		item := q.pop()
		rank, pos := int32(item>>32), int32(uint32(item))
		s := &syms[pos]
		if s.id < 0 || s.next < 0 {
			continue
		}
		r, ok := e.t.ranks[pairKey(s.id, syms[s.next].id)]
		if !ok || r.rank != rank {
			continue // stale: a neighbour has changed since this was queued
		}
		right := s.next
		s.id = r.result
		s.next = syms[right].next
		syms[right].id = -1
		if s.next >= 0 {
			syms[s.next].prev = pos
		}
		if s.prev >= 0 {
			push(s.prev)
		}
		push(pos)
	}
	ids = ids[:0]
	for i := int32(0); i >= 0; i = syms[i].next {
		ids = append(ids, syms[i].id)
	}
	e.syms = syms
	return ids
}
