package infer

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/internal/race"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
)

// textModel returns a random model over a small byte-level BPE tokenizer.
func textModel(t *testing.T) *Model {
	t.Helper()
	tok, err := data.TrainBPE([][]byte{[]byte("the cat sat on the mat. the dog sat on the log. é€ 😀")}, 266)
	if err != nil {
		t.Fatal(err)
	}
	c := model.Config{VocabSize: tok.VocabSize(), HiddenSize: 16, IntermediateSize: 24, NumHiddenLayers: 2,
		NumAttentionHeads: 4, NumKeyValueHeads: 2, RMSNormEps: 1e-5, RopeTheta: 10000, MaxPositionEmbeddings: 48}
	m := randomModel(t, c, 3)
	m.Tokenizer = tok
	return m
}

// TestGenerateEndAndStop checks the end-of-text id, stop strings, the
// streamed text and the order of reasons, on greedy decoding whose
// unstopped output is known.
func TestGenerateEndAndStop(t *testing.T) {
	m := textModel(t)
	prompt := m.Tokenizer.Encode([]byte("the cat"))
	const n = 30
	free, err := m.Generate([][]int32{prompt}, GenerateOptions{MaxTokens: n})
	if err != nil {
		t.Fatal(err)
	}
	ids, text := free[0].IDs, free[0].Text
	if len(ids) != n || free[0].Reason != StopLength {
		t.Fatalf("unstopped run: %d tokens, reason %q", len(ids), free[0].Reason)
	}
	if dec, _ := m.Tokenizer.Decode(ids); !bytes.Equal(dec, text) {
		t.Fatalf("text %q is not the decoded ids %q", text, dec)
	}

	end := ids[5]
	g, err := m.Generate([][]int32{prompt}, GenerateOptions{MaxTokens: n, EndIDs: []int32{end}})
	if err != nil {
		t.Fatal(err)
	}
	if want := ids[:slices.Index(ids, end)]; !slices.Equal(g[0].IDs, want) || g[0].Reason != StopEnd {
		t.Errorf("end id %d: got %v (%s), want %v (end)", end, g[0].IDs, g[0].Reason, want)
	}

	if len(text) < 12 {
		t.Fatalf("greedy text %q too short to cut", text)
	}
	stop := string(text[8:11])
	var streamed []byte
	var tokens []int32
	g, err = m.Generate([][]int32{prompt}, GenerateOptions{MaxTokens: n, Stop: []string{stop},
		OnText:  func(_ int, b []byte) error { streamed = append(streamed, b...); return nil },
		OnToken: func(_ int, id int32) error { tokens = append(tokens, id); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	want := text[:bytes.Index(text, []byte(stop))]
	if !bytes.Equal(g[0].Text, want) || g[0].Reason != StopString {
		t.Errorf("stop %q: text %q (%s), want %q (stop)", stop, g[0].Text, g[0].Reason, want)
	}
	if !bytes.Equal(streamed, g[0].Text) || !slices.Equal(tokens, g[0].IDs) {
		t.Errorf("streamed %q and %v, returned %q and %v", streamed, tokens, g[0].Text, g[0].IDs)
	}
	if !slices.Equal(g[0].IDs, ids[:len(g[0].IDs)]) {
		t.Errorf("stopped ids %v are not a prefix of %v", g[0].IDs, ids)
	}
}

// TestGenerateSeed checks that sampling with a seed is reproducible and
// that the seed matters.
func TestGenerateSeed(t *testing.T) {
	m := textModel(t)
	prompts := [][]int32{m.Tokenizer.Encode([]byte("the")), m.Tokenizer.Encode([]byte("a dog sat"))}
	run := func(seed uint64) []Generation {
		g, err := m.Generate(prompts, GenerateOptions{MaxTokens: 20,
			Sampling: Sampling{Temperature: 1.5, TopK: 40, TopP: 0.95, MinP: 0.01, RepetitionPenalty: 1.1, Seed: seed}})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	a, b, c := run(7), run(7), run(8)
	for i := range prompts {
		if !slices.Equal(a[i].IDs, b[i].IDs) {
			t.Errorf("prompt %d: seed 7 gave %v then %v", i, a[i].IDs, b[i].IDs)
		}
	}
	if slices.Equal(a[0].IDs, c[0].IDs) && slices.Equal(a[1].IDs, c[1].IDs) {
		t.Error("seeds 7 and 8 gave the same text")
	}
}

// TestGenerateErrors checks that bad prompts and options are errors that
// say what is wrong, and that -truncate keeps a long prompt's end.
func TestGenerateErrors(t *testing.T) {
	m := randomModel(t, testConfigs[2], 1) // 24 positions, vocabulary 29
	long := randomIDs(rand.New(rand.NewPCG(1, 1)), 30, 29)
	cases := []struct {
		prompts [][]int32
		opt     GenerateOptions
		want    string
	}{
		{nil, GenerateOptions{MaxTokens: 1}, "no prompts"},
		{[][]int32{{}}, GenerateOptions{MaxTokens: 1}, "prompt 0 is empty"},
		{[][]int32{{1, 29}}, GenerateOptions{MaxTokens: 1}, "id 29 at position 1 is outside the vocabulary"},
		{[][]int32{{1, -1}}, GenerateOptions{MaxTokens: 1}, "id -1"},
		{[][]int32{long}, GenerateOptions{MaxTokens: 2}, "-truncate"},
		{[][]int32{{1}}, GenerateOptions{MaxTokens: 26}, "flag -n 26"},
		{[][]int32{{1}}, GenerateOptions{MaxTokens: -1}, "flag -n -1"},
		{[][]int32{{1}}, GenerateOptions{MaxTokens: 1, Sampling: Sampling{TopP: 2}}, "flag -top-p"},
		{[][]int32{{1}}, GenerateOptions{MaxTokens: 1, Stop: []string{"x"}}, "tokenizer"},
	}
	for _, c := range cases {
		_, err := m.Generate(c.prompts, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %+v: error %v, want one mentioning %q", c.prompts, c.opt, err, c.want)
		}
	}
	g, err := m.Generate([][]int32{long}, GenerateOptions{MaxTokens: 3, Truncate: true})
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.generateFull(long[len(long)-22:], 3) // 22 + 3 - 1 = 24 positions
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g[0].IDs, want) {
		t.Errorf("truncated prompt: %v, want %v", g[0].IDs, want)
	}
}

// TestGenerateAllocations checks that a decode step allocates nothing on
// the CPU device at 1 and 2 threads, greedy or sampled through every
// filter, for one prompt and for a batch of prompts of different lengths:
// generating more tokens costs no more allocations. The model is wide
// enough that the 2-thread pool splits its products and attention. An
// allocation by the runtime itself now and then (one in a few runs, seen
// at this vocabulary size) is told apart from one per step by trying three
// times: a step that allocates does so every time.
func TestGenerateAllocations(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector's instrumentation allocates")
	}
	c := model.Config{VocabSize: 2048, HiddenSize: 64, IntermediateSize: 160, NumHiddenLayers: 2, NumAttentionHeads: 4,
		NumKeyValueHeads: 2, RMSNormEps: 1e-5, RopeTheta: 10000, MaxPositionEmbeddings: 64}
	for _, threads := range []int{1, 2} {
		m, err := New(kernels.NewCPU(threads), c, c.Init(1), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		for _, prompts := range [][][]int32{{{1}}, {{1, 2, 3}, {4, 5}}} {
			for _, s := range []Sampling{{}, {Temperature: 0.9, TopK: 20, TopP: 0.9, MinP: 0.01, RepetitionPenalty: 1.1, Seed: 3},
				{Temperature: 1.2, TopP: 0.95, Seed: 4}} {
				count := func(n int) float64 {
					return testing.AllocsPerRun(3, func() {
						if _, err := m.Generate(prompts, GenerateOptions{MaxTokens: n, Sampling: s}); err != nil {
							t.Fatal(err)
						}
					})
				}
				short, long := count(4), count(40)
				for try := 1; try < 3 && long > short; try++ {
					short, long = count(4), count(40)
				}
				if long > short {
					t.Errorf("%d threads, %d prompts, sampling %+v: generating 40 tokens allocates %v times, 4 tokens %v: steps allocate",
						threads, len(prompts), s, long, short)
				}
			}
		}
	}
}
