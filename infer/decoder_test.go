package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
)

// testConfigs are small models of odd sizes: GQA and plain multi-head
// attention, tied and untied heads, one to three layers.
var testConfigs = []model.Config{
	{VocabSize: 37, HiddenSize: 24, IntermediateSize: 40, NumHiddenLayers: 2, NumAttentionHeads: 6, NumKeyValueHeads: 2,
		RMSNormEps: 1e-5, RopeTheta: 10000, MaxPositionEmbeddings: 40},
	{VocabSize: 50, HiddenSize: 30, IntermediateSize: 17, NumHiddenLayers: 3, NumAttentionHeads: 3, NumKeyValueHeads: 3,
		RMSNormEps: 1e-6, RopeTheta: 500, MaxPositionEmbeddings: 32, TieWordEmbeddings: true},
	{VocabSize: 29, HiddenSize: 16, IntermediateSize: 33, NumHiddenLayers: 1, NumAttentionHeads: 4, NumKeyValueHeads: 1,
		RMSNormEps: 1e-5, RopeTheta: 10000, MaxPositionEmbeddings: 24},
}

// randomModel returns c with random weights on a CPU device. The matrices
// are drawn wider than at initialisation so that the logits are far apart
// and float32 rounding cannot change an argmax.
func randomModel(t *testing.T, c model.Config, seed uint64) *Model {
	t.Helper()
	values := c.Init(seed)
	for i, p := range c.ParamSpecs() {
		for j := range values[i] {
			if p.Std != 0 {
				values[i][j] *= 15
			} else {
				values[i][j] = 1 + 0.1*float32(math.Sin(float64(j)))
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

// randomIDs returns n token ids below vocab.
func randomIDs(r *rand.Rand, n, vocab int) []int32 {
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = int32(r.IntN(vocab))
	}
	return ids
}

// fullLogits runs the compiled forward program over seq and returns the
// logits of every position.
func fullLogits(t *testing.T, m *Model, seq []int32) [][]float32 {
	t.Helper()
	p, err := m.program(1, len(seq))
	if err != nil {
		t.Fatal(err)
	}
	targets := make([]int32, len(seq))
	for i := range targets {
		targets[i] = -1
	}
	if err := p.SetBatch(seq, targets); err != nil {
		t.Fatal(err)
	}
	p.Run()
	v := m.Config.VocabSize
	flat := make([]float32, len(seq)*v)
	if err := p.Logits(flat); err != nil {
		t.Fatal(err)
	}
	out := make([][]float32, len(seq))
	for i := range out {
		out[i] = flat[i*v : (i+1)*v]
	}
	return out
}

// TestDecoderLogits feeds sequences of different lengths through the cache,
// the prompts in chunks smaller than the prompts, then one token per step,
// and checks every step's logits against the full forward program's at the
// same position.
func TestDecoderLogits(t *testing.T) {
	for ci, c := range testConfigs {
		t.Run(fmt.Sprint(ci), func(t *testing.T) {
			m := randomModel(t, c, uint64(ci+1))
			r := rand.New(rand.NewPCG(uint64(ci), 7))
			lens := []int{7, 1, 4}             // prompt lengths
			const steps, maxN = 5, 3           // decode steps; prefill chunk
			seqs := make([][]int32, len(lens)) // prompt then fed tokens
			for b, n := range lens {
				seqs[b] = randomIDs(r, n+steps, c.VocabSize)
			}
			d, err := m.newDecoder(len(lens), slices.Max(lens)+steps, maxN)
			if err != nil {
				t.Fatal(err)
			}
			defer d.free()
			prompts := make([][]int32, len(lens))
			for b, n := range lens {
				prompts[b] = seqs[b][:n]
			}
			got, err := d.prefill(prompts)
			if err != nil {
				t.Fatal(err)
			}
			want := make([][][]float32, len(lens))
			for b := range lens {
				want[b] = fullLogits(t, m, seqs[b])
			}
			ids, pos, last := make([]int32, len(lens)), make([]int32, len(lens)), make([]int32, len(lens))
			for s := 0; ; s++ {
				for b, n := range lens {
					closeLogits(t, fmt.Sprintf("seq %d position %d", b, n-1+s), got[b*c.VocabSize:(b+1)*c.VocabSize], want[b][n-1+s])
				}
				if s == steps {
					break
				}
				for b, n := range lens {
					ids[b], pos[b] = seqs[b][n+s], int32(n+s)
				}
				if got, err = d.forward(ids, pos, 1, last); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// closeLogits fails unless got is within 1e-4 of want, relative to want's
// largest magnitude.
func closeLogits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	scale := 0.0
	for _, w := range want {
		scale = max(scale, math.Abs(float64(w)))
	}
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > 1e-4*scale {
			t.Fatalf("%s: logit %d = %v, full forward gives %v", what, i, got[i], want[i])
		}
	}
}

// TestGenerateGreedyMatchesFull decodes prompts of different lengths in one
// batch with the cache and checks each continuation against greedy decoding
// by full recomputation, token for token.
func TestGenerateGreedyMatchesFull(t *testing.T) {
	for ci, c := range testConfigs {
		t.Run(fmt.Sprint(ci), func(t *testing.T) {
			m := randomModel(t, c, uint64(ci+10))
			r := rand.New(rand.NewPCG(uint64(ci), 11))
			prompts := [][]int32{randomIDs(r, 5, c.VocabSize), randomIDs(r, 1, c.VocabSize), randomIDs(r, 9, c.VocabSize)}
			const n = 12
			gens, err := m.Generate(prompts, GenerateOptions{MaxTokens: n})
			if err != nil {
				t.Fatal(err)
			}
			for b, p := range prompts {
				want, err := m.generateFull(p, n)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(gens[b].IDs, want) || gens[b].Reason != StopLength {
					t.Errorf("prompt %d: cache gives %v (%s), full recompute %v", b, gens[b].IDs, gens[b].Reason, want)
				}
			}
		})
	}
}
