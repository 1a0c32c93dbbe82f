package infer

import (
	"math"
	"slices"
	"testing"

	"github.com/plateau-lab/plateau/internal/golden"
	"github.com/plateau-lab/plateau/kernels"
)

// TestGolden loads each reference case through Load (the path cmd/eval and
// cmd/generate use), scores it, and decodes greedily both with the KV cache
// and by full recomputation: each must give PyTorch's continuation.
func TestGolden(t *testing.T) {
	golden.ForEach(t, func(t *testing.T, gc *golden.Case) {
		m, err := Open(kernels.NewCPU(0), gc.Dir)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		// case.json's targets are input_ids shifted by one plus one more
		// token: score input_ids followed by that last target.
		seqs := make([][]int32, len(gc.InputIDs))
		for b := range seqs {
			seqs[b] = append(slices.Clone(gc.InputIDs[b]), gc.Targets[b][len(gc.Targets[b])-1])
		}
		s, err := m.Score(seqs)
		if err != nil {
			t.Fatal(err)
		}
		if rel := math.Abs(s.Loss-gc.Loss) / gc.Loss; rel > 1e-5 {
			t.Errorf("score loss %v, want %v", s.Loss, gc.Loss)
		}
		n := len(gc.GreedyContinuation)
		gens, err := m.Generate([][]int32{gc.GreedyPrompt}, GenerateOptions{MaxTokens: n})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(gens[0].IDs, gc.GreedyContinuation) {
			t.Errorf("KV-cache greedy continuation %v, want %v", gens[0].IDs, gc.GreedyContinuation)
		}
		full, err := m.generateFull(gc.GreedyPrompt, n)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(full, gc.GreedyContinuation) {
			t.Errorf("full-recompute greedy continuation %v, want %v", full, gc.GreedyContinuation)
		}
	})
}
