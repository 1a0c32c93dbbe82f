package data

import "fmt"

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

// Batcher serves training batches of windows drawn without replacement in
// epochs. The stream is cut into Windows() windows of seq+1 tokens whose
// inputs do not overlap (window k starts at token k*seq); each epoch visits
// every window once in an order that depends only on (seed, epoch). Rows are
// numbered across batches, so row r of batch i is global window i*batch+r,
// and batch i depends only on (seed, i), never on earlier calls: a resumed
// run reproduces its batches without saved loader state. A stream shorter
// than the training budget is repeated in epochs, which is how a run is
// limited to a number of unique tokens. A Batcher is safe for concurrent
// use.
type Batcher struct {
	tokens     []int32
	batch, seq int
	windows    int
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
	return &Batcher{tokens: tokens, batch: batch, seq: seq, windows: (len(tokens) - 1) / seq, seed: seed}, nil
}

// BatchSize returns the number of rows per batch.
func (b *Batcher) BatchSize() int { return b.batch }

// SeqLen returns the number of input tokens per row.
func (b *Batcher) SeqLen() int { return b.seq }

// Windows returns the number of windows in one epoch.
func (b *Batcher) Windows() int { return b.windows }

// Epochs returns how many passes over the windows the first n batches make
// (fractional: 0.5 is half an epoch).
func (b *Batcher) Epochs(n int) float64 {
	return float64(n) * float64(b.batch) / float64(b.windows)
}

// Batch fills ids and targets, each of length BatchSize()*SeqLen() in
// row-major order, with batch number i. Row r holds global window
// j = i*batch+r: window perm_e(j mod W) of epoch e = j / W, where perm_e is a
// permutation of the W windows keyed by (seed, e). ids gets the window's
// first seq tokens and targets its last seq, so targets[k] is the token that
// follows ids[k]. Batch does not allocate.
func (b *Batcher) Batch(i int, ids, targets []int32) error {
	n := b.batch * b.seq
	if i < 0 {
		return fmt.Errorf("batch %d: index must not be negative", i)
	}
	if len(ids) != n || len(targets) != n {
		return fmt.Errorf("batch %d: got %d ids and %d targets, want %d each (%d x %d)", i, len(ids), len(targets), n, b.batch, b.seq)
	}
	w := uint64(b.windows)
	j := uint64(i) * uint64(b.batch)
	epoch := j / w
	perm := newPermutation(w, b.seed^mix64(epoch))
	for r := range b.batch {
		if e := j / w; e != epoch {
			epoch = e
			perm = newPermutation(w, b.seed^mix64(epoch))
		}
		s := int(perm.at(j%w)) * b.seq
		copy(ids[r*b.seq:(r+1)*b.seq], b.tokens[s:s+b.seq])
		copy(targets[r*b.seq:(r+1)*b.seq], b.tokens[s+1:s+1+b.seq])
		j++
	}
	return nil
}

// ValBatch is one fixed evaluation batch, row-major like Batcher.Batch.
type ValBatch struct {
	IDs, Targets []int32
}

// ValBatches cuts tokens into windows of seq+1 tokens whose inputs do not
// overlap (window k starts at k*seq) and groups them into at most
// maxBatches batches of batch rows (all complete batches when maxBatches
// <= 0). When the batches need fewer windows than the stream holds, the
// windows they take are spread evenly over the whole stream rather than
// taken from its start, so that a capped evaluation still sees every part
// of the held-out set (its first documents alone can be unlike the rest).
// The batches are copies and are the same on every call. It is an error if
// tokens do not fill one batch.
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
	rows := count * batch
	out := make([]ValBatch, count)
	for j := range out {
		vb := ValBatch{IDs: make([]int32, batch*seq), Targets: make([]int32, batch*seq)}
		for r := range batch {
			start := (j*batch + r) * windows / rows * seq
			copy(vb.IDs[r*seq:(r+1)*seq], tokens[start:start+seq])
			copy(vb.Targets[r*seq:(r+1)*seq], tokens[start+1:start+seq+1])
		}
		out[j] = vb
	}
	return out, nil
}
