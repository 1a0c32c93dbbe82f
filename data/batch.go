package data

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
)

// Tokenize encodes docs on up to workers goroutines (all CPUs when workers
// <= 0) and joins them into one stream in document order, with the
// tokenizer's EOT id between consecutive documents.
func Tokenize(tok *Tokenizer, docs [][]byte, workers int) []int32 {
	parts := tok.EncodeAll(docs, workers)
	n := max(0, len(parts)-1)
	for _, p := range parts {
		n += len(p)
	}
	out := make([]int32, 0, n)
	for i, p := range parts {
		if i > 0 {
			out = append(out, tok.EOT())
		}
		out = append(out, p...)
	}
	return out
}

// Batcher serves training batches of random windows from a token stream.
// Batch i depends only on (seed, i), never on earlier calls, so a resumed
// run reproduces its batches without saved loader state. A Batcher is safe
// for concurrent use.
type Batcher struct {
	tokens     []int32
	batch, seq int
	seed       uint64
}

// NewBatcher returns a Batcher of batch rows of seq inputs over tokens,
// which it keeps without copying; the caller must not modify them. The
// stream must hold at least seq+1 tokens.
func NewBatcher(tokens []int32, batch, seq int, seed uint64) (*Batcher, error) {
	if batch < 1 || seq < 1 {
		return nil, fmt.Errorf("new batcher: batch %d and sequence length %d must be positive", batch, seq)
	}
	if len(tokens) < seq+1 {
		return nil, fmt.Errorf("new batcher: stream of %d tokens is shorter than one window of %d", len(tokens), seq+1)
	}
	if batch > (1<<31-1)/seq {
		return nil, fmt.Errorf("new batcher: batch %d x sequence length %d overflows int32 indexing", batch, seq)
	}
	return &Batcher{tokens: tokens, batch: batch, seq: seq, seed: seed}, nil
}

// BatchSize returns the number of rows per batch.
func (b *Batcher) BatchSize() int { return b.batch }

// SeqLen returns the number of input tokens per row.
func (b *Batcher) SeqLen() int { return b.seq }

// Batch fills ids and targets, each of length BatchSize()*SeqLen() in
// row-major order, with batch number i. Row r is a window of seq+1 tokens
// starting at a uniformly random position: ids gets its first seq tokens and
// targets the last seq, so targets[k] is the token that follows ids[k]. The
// start positions come from a PCG generator seeded from (seed, i) alone.
// Batch does not allocate.
func (b *Batcher) Batch(i int, ids, targets []int32) error {
	n := b.batch * b.seq
	if i < 0 {
		return fmt.Errorf("batch %d: index must not be negative", i)
	}
	if len(ids) != n || len(targets) != n {
		return fmt.Errorf("batch %d: got %d ids and %d targets, want %d each (%d x %d)", i, len(ids), len(targets), n, b.batch, b.seq)
	}
	var rng rand.PCG
	rng.Seed(mix64(b.seed), mix64(b.seed^mix64(uint64(i))))
	starts := uint64(len(b.tokens) - b.seq)
	for r := range b.batch {
		s := int(uniform(&rng, starts))
		copy(ids[r*b.seq:(r+1)*b.seq], b.tokens[s:s+b.seq])
		copy(targets[r*b.seq:(r+1)*b.seq], b.tokens[s+1:s+1+b.seq])
	}
	return nil
}

// uniform returns a uniform number in [0, n), n > 0, by Lemire's
// multiply-and-reject method, so that the sequence is fixed by the generator
// alone.
func uniform(rng *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(rng.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(rng.Uint64(), n)
		}
	}
	return hi
}

// ValBatch is one fixed evaluation batch, row-major like Batcher.Batch.
type ValBatch struct {
	IDs, Targets []int32
}

// ValBatches cuts tokens into consecutive windows of seq+1 tokens whose
// inputs do not overlap (window k starts at k*seq), and groups them into at
// most maxBatches batches of batch rows (all complete batches when
// maxBatches <= 0), dropping an incomplete last batch. The batches are
// copies and are the same on every call. It is an error if tokens do not
// fill one batch.
func ValBatches(tokens []int32, batch, seq, maxBatches int) ([]ValBatch, error) {
	if batch < 1 || seq < 1 {
		return nil, fmt.Errorf("validation batches: batch %d and sequence length %d must be positive", batch, seq)
	}
	windows := 0
	if len(tokens) > 0 {
		windows = (len(tokens) - 1) / seq
	}
	count := windows / batch
	if maxBatches > 0 {
		count = min(count, maxBatches)
	}
	if count == 0 {
		return nil, fmt.Errorf("validation batches: stream of %d tokens does not fill one batch of %d windows of %d tokens", len(tokens), batch, seq+1)
	}
	n := batch * seq
	out := make([]ValBatch, count)
	for j := range out {
		start := j * n
		out[j] = ValBatch{
			IDs:     append([]int32(nil), tokens[start:start+n]...),
			Targets: append([]int32(nil), tokens[start+1:start+n+1]...),
		}
	}
	return out, nil
}
