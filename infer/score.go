package infer

import (
	"fmt"
	"math"
)

// Score is the result of scoring sequences.
type Score struct {
	Loss       float64 `json:"loss"`       // mean next-token cross-entropy, nats per token
	Tokens     int     `json:"tokens"`     // predicted positions
	Perplexity float64 `json:"perplexity"` // exp(Loss)
}

// Score runs the model over equal-length sequences and returns the mean
// next-token loss over every predicted position (each sequence's tokens
// after the first).
func (m *Model) Score(seqs [][]int32) (Score, error) {
	if len(seqs) == 0 {
		return Score{}, fmt.Errorf("score: no sequences")
	}
	n := len(seqs[0])
	if n < 2 {
		return Score{}, fmt.Errorf("score: sequences of %d tokens, want at least 2", n)
	}
	if n-1 > m.Config.MaxPositionEmbeddings {
		return Score{}, fmt.Errorf("score: sequences of %d tokens predict %d positions, more than max_position_embeddings %d", n, n-1, m.Config.MaxPositionEmbeddings)
	}
	ids := make([]int32, 0, len(seqs)*(n-1))
	targets := make([]int32, 0, len(seqs)*(n-1))
	for i, s := range seqs {
		if len(s) != n {
			return Score{}, fmt.Errorf("score: sequence %d has %d tokens, sequence 0 has %d: want one length", i, len(s), n)
		}
		if err := m.checkIDs(s, fmt.Sprintf("score: sequence %d", i)); err != nil {
			return Score{}, err
		}
		ids = append(ids, s[:n-1]...)
		targets = append(targets, s[1:]...)
	}
	p, err := m.program(len(seqs), n-1)
	if err != nil {
		return Score{}, err
	}
	if err := p.SetBatch(ids, targets); err != nil {
		return Score{}, err
	}
	p.Run()
	loss, err := p.Loss()
	if err != nil {
		return Score{}, err
	}
	return Score{Loss: float64(loss), Tokens: len(ids), Perplexity: math.Exp(float64(loss))}, nil
}
