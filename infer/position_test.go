package infer

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLossByPosition: the losses by position average to the loss Score
// gives on the same windows, for both families, with a batch that leaves a
// padded last pass; and position 1 of a window is scored from no context.
func TestLossByPosition(t *testing.T) {
	for name, m := range map[string]*Model{"transformer": textModel(t), "lstm": lstmModel(t, 2)} {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			const window, windows = 12, 5
			tokens := randomIDs(r, windows*window+3, m.Config.VocabSize)
			ps, err := m.LossByPosition(tokens, window, 0, 2)
			if err != nil {
				t.Fatal(err)
			}
			if ps.Windows != windows || len(ps.LossByPosition) != window {
				t.Fatalf("%d windows, %d positions; want %d and %d", ps.Windows, len(ps.LossByPosition), windows, window)
			}
			seqs := make([][]int32, windows)
			for w := range seqs {
				seqs[w] = tokens[w*window : (w+1)*window+1]
			}
			s, err := m.Score(seqs)
			if err != nil {
				t.Fatal(err)
			}
			var mean float64
			for _, l := range ps.LossByPosition {
				mean += l / window
			}
			if math.Abs(mean-s.Loss) > 1e-5*s.Loss {
				t.Errorf("positions average %.7f, Score %.7f", mean, s.Loss)
			}
			first := make([][]int32, windows)
			for w := range first {
				first[w] = seqs[w][:2]
			}
			s1, err := m.Score(first)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(s1.Loss-ps.LossByPosition[0]) > 1e-5*s1.Loss {
				t.Errorf("position 1: %.7f, scored alone %.7f", ps.LossByPosition[0], s1.Loss)
			}
		})
	}
	if _, err := textModel(t).LossByPosition(make([]int32, 5), 12, 0, 1); err == nil {
		t.Error("a stream shorter than a window scores")
	}
}
