package infer

import (
	"fmt"
	"math"

	"github.com/plateau-lab/plateau/kernels"
)

// Score is the result of scoring text.
type Score struct {
	Loss       float64 `json:"loss"`       // mean next-token cross-entropy, nats per token
	Tokens     int     `json:"tokens"`     // predicted positions
	Perplexity float64 `json:"perplexity"` // exp(Loss)
	// Bytes is the length of the text the predicted tokens stand for, and
	// BitsPerByte the total loss in bits over it: a measure that does not
	// depend on the tokenizer. Both are 0 when the model has no tokenizer.
	Bytes       int     `json:"bytes,omitempty"`
	BitsPerByte float64 `json:"bits_per_byte,omitempty"`
}

// Score runs the model over equal-length sequences and returns the mean
// next-token loss over every predicted position (each sequence's tokens
// after the first).
func (m *Model) Score(seqs [][]int32) (Score, error) {
	n, err := m.checkSeqs(seqs, "score")
	if err != nil {
		return Score{}, err
	}
	ids := make([]int32, 0, len(seqs)*(n-1))
	targets := make([]int32, 0, len(seqs)*(n-1))
	for _, s := range seqs {
		ids = append(ids, s[:n-1]...)
		targets = append(targets, s[1:]...)
	}
	p, err := m.program(len(seqs), n-1)
	if err != nil {
		return Score{}, err
	}
	loss, err := runLoss(p, ids, targets)
	if err != nil {
		return Score{}, err
	}
	return Score{Loss: float64(loss), Tokens: len(ids), Perplexity: math.Exp(float64(loss))}, nil
}

// runLoss runs p's forward pass on one batch and returns its mean loss over
// the targets >= 0.
func runLoss(p *kernels.Program, ids, targets []int32) (float32, error) {
	if err := p.SetBatch(ids, targets); err != nil {
		return 0, err
	}
	p.Run()
	return p.Loss()
}

// Logits runs the model over equal-length sequences and returns the logits
// of every position, [len(seqs), n, vocab] flattened.
func (m *Model) Logits(seqs [][]int32) ([]float32, error) {
	n, err := m.checkSeqs(seqs, "logits")
	if err != nil {
		return nil, err
	}
	p, err := m.program(len(seqs), n)
	if err != nil {
		return nil, err
	}
	ids := make([]int32, 0, len(seqs)*n)
	targets := make([]int32, len(seqs)*n)
	for _, s := range seqs {
		ids = append(ids, s...)
	}
	for i := range targets {
		targets[i] = -1
	}
	if err := p.SetBatch(ids, targets); err != nil {
		return nil, err
	}
	p.Run()
	out := make([]float32, len(ids)*m.Config.VocabSize)
	return out, p.Logits(out)
}

// checkSeqs checks that seqs share one length of at least 2 tokens (at
// least 1 for logits) that fits the context, with ids in the vocabulary,
// and returns the length.
func (m *Model) checkSeqs(seqs [][]int32, what string) (int, error) {
	if len(seqs) == 0 {
		return 0, fmt.Errorf("%s: no sequences", what)
	}
	n := len(seqs[0])
	least, ctx := 2, m.Config.MaxPositionEmbeddings
	if what == "logits" {
		least, ctx = 1, ctx+1
	}
	if n < least {
		return 0, fmt.Errorf("%s: sequences of %d tokens, want at least %d", what, n, least)
	}
	if n-1 > ctx {
		return 0, fmt.Errorf("%s: sequences of %d tokens need %d positions, more than max_position_embeddings %d",
			what, n, n-1, m.Config.MaxPositionEmbeddings)
	}
	for i, s := range seqs {
		if len(s) != n {
			return 0, fmt.Errorf("%s: sequence %d has %d tokens, sequence 0 has %d: want one length", what, i, len(s), n)
		}
		if err := m.checkIDs(s, fmt.Sprintf("%s: sequence %d", what, i)); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// ScoreOptions say how ScoreText cuts a long token stream into windows.
type ScoreOptions struct {
	// Window is the context of each forward pass in tokens (flag -window;
	// 0: max_position_embeddings).
	Window int
	// Stride is how far consecutive windows start apart (flag -stride; 0:
	// Window, windows that do not overlap). Each window scores only the
	// tokens after the previous one's, so every token after the first is
	// scored once, with at least Window-Stride tokens of context once the
	// first window is passed; a smaller stride gives more context at more
	// cost.
	Stride int
	// Batch is how many windows run in one forward pass (flag -batch; 0: 1).
	Batch int
}

// ScoreText scores a token stream longer than the context with a sliding
// window (Hugging Face's strided perplexity): the mean loss over every token
// after the first, each predicted once.
func (m *Model) ScoreText(tokens []int32, o ScoreOptions) (Score, error) {
	ctx := m.Config.MaxPositionEmbeddings
	if o.Window == 0 {
		o.Window = ctx
	}
	if o.Stride == 0 {
		o.Stride = o.Window
	}
	if o.Batch == 0 {
		o.Batch = 1
	}
	switch {
	case o.Window < 1 || o.Window > ctx:
		return Score{}, fmt.Errorf("score: flag -window %d: want 1..%d (max_position_embeddings)", o.Window, ctx)
	case o.Stride < 1 || o.Stride > o.Window:
		return Score{}, fmt.Errorf("score: flag -stride %d: want 1..%d (the window)", o.Stride, o.Window)
	case o.Batch < 1:
		return Score{}, fmt.Errorf("score: flag -batch %d: want a positive number of windows", o.Batch)
	case len(tokens) < 2:
		return Score{}, fmt.Errorf("score: %d tokens, want at least 2", len(tokens))
	}
	if err := m.checkIDs(tokens, "score"); err != nil {
		return Score{}, err
	}
	// Window w feeds tokens[b : b+Window] (b = w*Stride) and predicts
	// tokens b+1 .. b+Window; it scores the targets after done, the last
	// one the windows before it scored.
	last := len(tokens) - 1
	windows := 1
	if last > o.Window {
		windows += (last - o.Window + o.Stride - 1) / o.Stride
	}
	batch := min(o.Batch, windows)
	p, err := m.program(batch, o.Window)
	if err != nil {
		return Score{}, err
	}
	ids := make([]int32, batch*o.Window)
	targets := make([]int32, batch*o.Window)
	var total float64
	scored, done := 0, 0
	for w0 := 0; w0 < windows; w0 += batch {
		count := 0
		for r := range batch {
			row, rowT := ids[r*o.Window:(r+1)*o.Window], targets[r*o.Window:(r+1)*o.Window]
			clear(row)
			for i := range rowT {
				rowT[i] = -1
			}
			if w0+r >= windows {
				continue // padding row: nothing scored
			}
			b := (w0 + r) * o.Stride
			for i := range row {
				t := b + i + 1 // the target index of position i
				if t > last {
					break
				}
				row[i] = tokens[b+i]
				if t > done {
					rowT[i] = tokens[t]
					count++
				}
			}
			done = min(b+o.Window, last)
		}
		loss, err := runLoss(p, ids, targets)
		if err != nil {
			return Score{}, err
		}
		total += float64(loss) * float64(count)
		scored += count
	}
	s := Score{Loss: total / float64(scored), Tokens: scored}
	s.Perplexity = math.Exp(s.Loss)
	if m.Tokenizer != nil {
		text, err := m.Tokenizer.Decode(tokens[1:])
		if err != nil {
			return Score{}, fmt.Errorf("score: %w", err)
		}
		s.Bytes = len(text)
		if s.Bytes > 0 {
			s.BitsPerByte = total / math.Ln2 / float64(s.Bytes)
		}
	}
	return s, nil
}
