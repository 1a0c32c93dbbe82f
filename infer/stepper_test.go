package infer

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
)

// lstmModel is a random LSTM with embeddings and head scaled up so that
// its greedy continuations vary.
func lstmModel(t *testing.T, seed uint64) *Model {
	t.Helper()
	c := model.NewLSTMConfig(24, 2, 61, 40)
	values := c.Init(seed)
	for i, p := range c.ParamSpecs() {
		if p.Name == "model.embed_tokens.weight" || p.Name == "lm_head.weight" {
			for j := range values[i] {
				values[i][j] *= 50
			}
		}
	}
	m, err := New(kernels.NewCPU(2), c, values, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// TestLSTMGenerate decodes prompts of different lengths in one batch with
// the window decoder and checks each continuation against greedy decoding
// of the prompt alone by full recomputation, token for token.
func TestLSTMGenerate(t *testing.T) {
	m := lstmModel(t, 4)
	r := rand.New(rand.NewPCG(5, 6))
	prompts := [][]int32{randomIDs(r, 5, 61), randomIDs(r, 1, 61), randomIDs(r, 9, 61)}
	const n = 12
	gens, err := m.Generate(prompts, GenerateOptions{MaxTokens: n})
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[int32]bool{}
	for b, p := range prompts {
		want, err := m.generateFull(p, n)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(gens[b].IDs, want) || gens[b].Reason != StopLength {
			t.Errorf("prompt %d: window decoder gives %v (%s), full recompute %v", b, gens[b].IDs, gens[b].Reason, want)
		}
		for _, id := range want {
			distinct[id] = true
		}
	}
	if len(distinct) < 4 {
		t.Errorf("the continuations use %d distinct tokens: too degenerate to test anything", len(distinct))
	}
	// Sampling runs and is reproducible.
	opt := GenerateOptions{MaxTokens: n, Sampling: Sampling{Temperature: 1, TopK: 10, Seed: 3}}
	a, err := m.Generate(prompts, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Generate(prompts, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if !slices.Equal(a[i].IDs, b[i].IDs) {
			t.Errorf("prompt %d: two sampled runs with one seed differ: %v and %v", i, a[i].IDs, b[i].IDs)
		}
	}
}
