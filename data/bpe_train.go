package data

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// MinVocabSize is the smallest vocabulary TrainBPE accepts: the 256 byte
// tokens and the end-of-text token, with no merges.
const MinVocabSize = 257

// TrainBPE learns a byte-level BPE tokenizer with exactly vocabSize ids (the
// 256 bytes, vocabSize-257 merged tokens and "<|endoftext|>") from docs. It
// feeds the documents to a BPETrainer on all CPUs; see BPETrainer.Train for
// the rules.
func TrainBPE(docs [][]byte, vocabSize int) (*Tokenizer, error) {
	t, err := NewBPETrainer(vocabSize)
	if err != nil {
		return nil, err
	}
	addAll(t, docs)
	return t.Train()
}

// addAll adds docs to t from one goroutine per CPU.
func addAll(t *BPETrainer, docs [][]byte) {
	workers := max(1, min(runtime.GOMAXPROCS(0), len(docs)))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(docs); i += workers {
				t.Add(docs[i])
			}
		})
	}
	wg.Wait()
}

// BPETrainer learns a byte-level BPE tokenizer from a stream of documents.
// It keeps only the counts of distinct pre-tokens, never the documents, so a
// corpus of any size can be fed to it one document at a time. Add may be
// called from many goroutines at once; Train reads the counts gathered so
// far.
type BPETrainer struct {
	vocabSize int
	shards    []wordShard
	next      atomic.Uint32 // round-robin start for Add's choice of shard
}

// wordShard is one lock-protected part of the pre-token counts. Concurrent
// Add calls fill different shards, which Train sums.
type wordShard struct {
	mu     sync.Mutex
	counts map[string]int64
	_      [64]byte // keeps shards on separate cache lines
}

// NewBPETrainer returns a trainer for a vocabulary of exactly vocabSize ids:
// the 256 bytes, vocabSize-257 merged tokens and "<|endoftext|>". It is an
// error if vocabSize is below MinVocabSize.
func NewBPETrainer(vocabSize int) (*BPETrainer, error) {
	if vocabSize < MinVocabSize || vocabSize > math.MaxInt32 {
		return nil, fmt.Errorf("train BPE: vocabulary size %d outside [%d, %d] (256 bytes + end-of-text + merges)", vocabSize, MinVocabSize, math.MaxInt32)
	}
	t := &BPETrainer{vocabSize: vocabSize, shards: make([]wordShard, 2*runtime.GOMAXPROCS(0))}
	for i := range t.shards {
		t.shards[i].counts = make(map[string]int64)
	}
	return t, nil
}

// Add splits doc into GPT-2 pre-tokens and counts them. Merges never cross a
// pre-token boundary, so documents may be added in any order and from any
// number of goroutines. The trainer does not keep doc.
func (t *BPETrainer) Add(doc []byte) {
	n := uint32(len(t.shards))
	start := t.next.Add(1)
	var s *wordShard
	for k := range n {
		if c := &t.shards[(start+k)%n]; c.mu.TryLock() {
			s = c
			break
		}
	}
	if s == nil {
		s = &t.shards[start%n]
		s.mu.Lock()
	}
	m := s.counts
	for len(doc) > 0 {
		k := pretokenLen(doc)
		m[string(doc[:k])]++
		doc = doc[k:]
	}
	s.mu.Unlock()
}

// wordCounts sums the shards' counts into a new map.
func (t *BPETrainer) wordCounts() map[string]int64 {
	var total map[string]int64
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		if total == nil {
			total = make(map[string]int64, len(s.counts))
		}
		for k, v := range s.counts {
			total[k] += v
		}
		s.mu.Unlock()
	}
	return total
}

// Train learns the merges from the pre-tokens added so far and returns the
// tokenizer. Each step merges the most frequent adjacent pair, breaking ties
// by the smaller (left, right) id pair, so the result depends only on the
// multiset of pre-tokens, not on the order of the documents. Pair counts are
// updated incrementally, touching only the words that contain the merged
// pair. It is an error if the documents run out of pairs before the
// vocabulary is full. Train does not change the counts: more documents may be
// added and Train called again.
func (t *BPETrainer) Train() (*Tokenizer, error) {
	tr := newTrainer(t.wordCounts())
	for len(tr.tokens) < t.vocabSize-1 {
		if !tr.step() {
			return nil, fmt.Errorf("train BPE: documents hold only enough pairs for %d merges; vocabulary size %d needs %d tokens besides end-of-text",
				len(tr.merges), t.vocabSize, t.vocabSize-1)
		}
	}
	tokens := append(tr.tokens, []byte(EndOfText))
	return newTokenizer(tokens, tr.merges, int32(len(tokens)-1))
}

// trainWord is a distinct pre-token, its current symbols and its count.
type trainWord struct {
	syms  []int32
	count int64
}

// pairEntry is a queued candidate merge. Entries are not removed when a
// pair's count changes; an entry is acted on only if its count is current.
type pairEntry struct {
	count int64
	key   uint64
	pair  int32 // index in trainer.pairs
}

// pairStat is what the trainer knows of one adjacent pair: its weighted
// count (0 once it no longer occurs) and the words that may contain it.
type pairStat struct {
	key   uint64
	count int64
	where []int32
}

// clear marks the pair as no longer occurring.
func (p *pairStat) clear() {
	p.count, p.where = 0, nil
}

// trainer holds the state of a BPE training run.
type trainer struct {
	words  []trainWord
	index  map[uint64]int32 // pair key -> index in pairs, never removed
	pairs  []pairStat
	queue  minHeap[pairEntry]
	seen   []int32 // word -> last step that visited it
	grown  []int32 // pairs whose count rose in the current step
	merged int32   // pair being merged in the current step

	tokens [][]byte
	ids    map[string]int32 // token bytes -> id
	merges []mergeRule
}

func newTrainer(wordCounts map[string]int64) *trainer {
	keys := make([]string, 0, len(wordCounts))
	total := 0
	for k := range wordCounts {
		keys = append(keys, k)
		total += len(k)
	}
	slices.Sort(keys)
	tr := &trainer{
		words:  make([]trainWord, len(keys)),
		index:  make(map[uint64]int32),
		seen:   make([]int32, len(keys)),
		ids:    make(map[string]int32),
		merged: -1,
		queue: minHeap[pairEntry]{less: func(a, b pairEntry) bool {
			return a.count > b.count || (a.count == b.count && a.key < b.key)
		}},
	}
	for b := range 256 {
		tok := []byte{byte(b)}
		tr.tokens = append(tr.tokens, tok)
		tr.ids[string(tok)] = int32(b)
	}
	backing := make([]int32, 0, total)
	for w, k := range keys {
		start := len(backing)
		for i := 0; i < len(k); i++ {
			backing = append(backing, int32(k[i]))
		}
		syms := backing[start:len(backing):len(backing)]
		tr.words[w] = trainWord{syms: syms, count: wordCounts[k]}
		tr.seen[w] = -1
		for i := 0; i+1 < len(syms); i++ {
			p := &tr.pairs[tr.pairIndex(syms[i], syms[i+1])]
			p.count += wordCounts[k]
			if n := len(p.where); n == 0 || p.where[n-1] != int32(w) {
				p.where = append(p.where, int32(w))
			}
		}
	}
	// Queue pairs in key order so that the heap layout is reproducible too.
	keyed := make([]uint64, 0, len(tr.index))
	for key := range tr.index {
		keyed = append(keyed, key)
	}
	slices.Sort(keyed)
	for _, key := range keyed {
		i := tr.index[key]
		tr.queue.push(pairEntry{count: tr.pairs[i].count, key: key, pair: i})
	}
	return tr
}

// pairIndex returns the index of pair (l, r) in tr.pairs, adding it if new.
func (tr *trainer) pairIndex(l, r int32) int32 {
	key := pairKey(l, r)
	i, ok := tr.index[key]
	if !ok {
		i = int32(len(tr.pairs))
		tr.pairs = append(tr.pairs, pairStat{key: key})
		tr.index[key] = i
	}
	return i
}

// best pops the most frequent live pair, skipping and refreshing stale
// entries. It reports false when no pair is left.
func (tr *trainer) best() (pairEntry, bool) {
	for len(tr.queue.items) > 0 {
		e := tr.queue.pop()
		cur := tr.pairs[e.pair].count
		if cur == e.count {
			return e, true
		}
		if cur > 0 && cur < e.count {
			e.count = cur
			tr.queue.push(e)
		}
		// cur > e.count: a fresher entry with the current count is queued.
	}
	return pairEntry{}, false
}

// step performs one merge. It reports false when there is nothing to merge.
func (tr *trainer) step() bool {
	e, ok := tr.best()
	if !ok {
		return false
	}
	a, b := int32(e.key>>32), int32(uint32(e.key))
	joined := append(append([]byte(nil), tr.tokens[a]...), tr.tokens[b]...)
	n, exists := tr.ids[string(joined)]
	if !exists {
		n = int32(len(tr.tokens))
		tr.tokens = append(tr.tokens, joined)
		tr.ids[string(joined)] = n
	}
	stamp := int32(len(tr.merges))
	tr.merges = append(tr.merges, mergeRule{left: a, right: b, result: n})

	tr.merged = e.pair
	tr.grown = tr.grown[:0]
	for _, w := range tr.pairs[e.pair].where {
		if tr.seen[w] != stamp {
			tr.seen[w] = stamp
			tr.mergeWord(w, a, b, n)
		}
	}
	tr.pairs[e.pair].clear()

	slices.Sort(tr.grown)
	for _, g := range slices.Compact(tr.grown) {
		if c := tr.pairs[g].count; c > 0 {
			tr.queue.push(pairEntry{count: c, key: tr.pairs[g].key, pair: g})
		}
	}
	return true
}

// mergeWord replaces every occurrence of (a, b) in word w, scanning left to
// right, by n and updates the counts of the neighbouring pairs. Pairs are
// rewritten in place: the write index never passes the read index, so the
// original left neighbour s[i-1] is still readable.
func (tr *trainer) mergeWord(w, a, b, n int32) {
	word := &tr.words[w]
	s, f := word.syms, word.count
	j := 0
	for i := 0; i < len(s); {
		if i+1 < len(s) && s[i] == a && s[i+1] == b {
			if i > 0 {
				tr.add(s[i-1], a, -f, w)
				tr.add(s[j-1], n, f, w)
			}
			// When the next occurrence follows directly, its own left-side
			// update accounts for the pair between the two.
			nextFollows := i+3 < len(s) && s[i+2] == a && s[i+3] == b
			if i+2 < len(s) && !nextFollows {
				tr.add(b, s[i+2], -f, w)
				tr.add(n, s[i+2], f, w)
			}
			s[j] = n
			i += 2
		} else {
			s[j] = s[i]
			i++
		}
		j++
	}
	word.syms = s[:j]
}

// add changes the count of pair (l, r) by delta on behalf of word w.
func (tr *trainer) add(l, r int32, delta int64, w int32) {
	i := tr.pairIndex(l, r)
	if i == tr.merged {
		return // cleared wholesale at the end of the step
	}
	p := &tr.pairs[i]
	p.count += delta
	if p.count <= 0 {
		p.clear()
		return
	}
	if delta > 0 {
		p.where = append(p.where, w)
		tr.grown = append(tr.grown, i)
	}
}
