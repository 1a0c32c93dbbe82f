package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/infer"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/model/llama2c"
)

const tiny = "../../infer/testdata/tiny-text"

// TestGenerate checks that the streamed text is the prompt followed by the
// library's continuation, and that -ids prints the generated ids.
func TestGenerate(t *testing.T) {
	m, err := infer.Open(kernels.NewCPU(1), tiny)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	prompt := "the cat"
	gens, err := m.Generate([][]int32{m.Tokenizer.Encode([]byte(prompt))},
		infer.GenerateOptions{MaxTokens: 12, EndIDs: []int32{m.Tokenizer.EOT()}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"-model", tiny, "-prompt", prompt, "-n", "12", "-temperature", "0"}, &out); err != nil {
		t.Fatal(err)
	}
	if want := prompt + string(gens[0].Text) + "\n"; out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}

	out.Reset()
	if err := run([]string{"-model", tiny, "-ids", "1,2,3", "-n", "5", "-temperature", "0", "-ignore-eos"}, &out); err != nil {
		t.Fatal(err)
	}
	var ids []int32
	if err := json.Unmarshal(out.Bytes(), &ids); err != nil {
		t.Fatal(err)
	}
	want, err := m.Generate([][]int32{{1, 2, 3}}, infer.GenerateOptions{MaxTokens: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, want[0].IDs) {
		t.Errorf("-ids printed %v, want %v", ids, want[0].IDs)
	}

	// Sampling with a seed repeats itself.
	args := []string{"-model", tiny, "-prompt", "the", "-n", "10", "-temperature", "1", "-top-k", "20", "-seed", "9"}
	var a, b bytes.Buffer
	if err := run(args, &a); err != nil {
		t.Fatal(err)
	}
	if err := run(args, &b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("seed 9 printed %q then %q", a.String(), b.String())
	}
}

// TestGenerateErrors checks that bad flags and prompts are errors naming
// them.
func TestGenerateErrors(t *testing.T) {
	long := strings.Repeat("the cat sat on the mat. ", 20)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-model", tiny}, "exactly one of"},
		{[]string{"-model", tiny, "-ids", "1,x"}, "flag -ids"},
		{[]string{"-model", tiny, "-ids", "1,999", "-n", "4"}, "id 999"},
		{[]string{"-model", tiny, "-ids", "1", "-n", "40"}, "flag -n 40"},
		{[]string{"-model", tiny, "-ids", "1", "-temperature", "-1"}, "flag -temperature"},
		{[]string{"-model", tiny, "-ids", "1", "-top-k", "-3"}, "flag -top-k"},
		{[]string{"-model", tiny, "-ids", "1", "-top-p", "0"}, "flag -top-p"},
		{[]string{"-model", tiny, "-ids", "1", "-min-p", "2"}, "flag -min-p"},
		{[]string{"-model", tiny, "-ids", "1", "-repetition-penalty", "0"}, "flag -repetition-penalty"},
		{[]string{"-model", tiny, "-prompt", long, "-n", "4"}, "-truncate"},
	}
	for _, c := range cases {
		err := run(c.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args[2:], err, c.want)
		}
	}
	if err := run([]string{"-model", tiny, "-prompt", long, "-n", "4", "-truncate"}, &bytes.Buffer{}); err != nil {
		t.Errorf("-truncate: %v", err)
	}
}

// TestGenerateTokenizerBin runs a llama2.c checkpoint with a tokenizer.bin:
// -prompt "" starts from the begin token alone, as run.c does, and prints
// the continuation's text with the begin token's following space dropped;
// a text prompt is fed after the begin token. -special parses "<s>" in a
// prompt as the token.
func TestGenerateTokenizerBin(t *testing.T) {
	const tokBin = "../../data/testdata/sp-tokenizer.bin"
	c := model.Config{VocabSize: 620, HiddenSize: 16, IntermediateSize: 24, NumHiddenLayers: 1, NumAttentionHeads: 2,
		NumKeyValueHeads: 2, RMSNormEps: 1e-5, RopeTheta: 10000, MaxPositionEmbeddings: 32, TieWordEmbeddings: true}
	values := c.Init(3)
	for i := range values {
		for j := range values[i] {
			values[i][j] *= 20 // far from the initialisation's near-uniform logits
		}
	}
	bin := filepath.Join(t.TempDir(), "model.bin")
	if err := llama2c.WriteFile(bin, c, values, 0); err != nil {
		t.Fatal(err)
	}
	tok, err := data.LoadTokenizerBin(tokBin)
	if err != nil {
		t.Fatal(err)
	}
	m, err := infer.Open(kernels.NewCPU(1), bin)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, tc := range []struct {
		prompt string
		ids    []int32
		flags  []string
	}{
		{"", []int32{1}, nil},
		{"Call me", append([]int32{1}, tok.Encode([]byte("Call me"))...), nil},
		{"Call<s>me", append([]int32{1}, tok.EncodeSpecial([]byte("Call<s>me"))...), []string{"-special"}},
	} {
		gens, err := m.Generate([][]int32{tc.ids}, infer.GenerateOptions{MaxTokens: 12})
		if err != nil {
			t.Fatal(err)
		}
		text := []byte(tc.prompt)
		prev := tc.ids[len(tc.ids)-1]
		for _, id := range gens[0].IDs {
			if id == 1 || id == 2 {
				break // the command stops at the begin and end tokens
			}
			p, _ := tok.Piece(prev, id)
			text, prev = append(text, p...), id
		}
		var out bytes.Buffer
		args := append([]string{"-model", bin, "-tokenizer", tokBin, "-prompt", tc.prompt, "-n", "12", "-temperature", "0"}, tc.flags...)
		if err := run(args, &out); err != nil {
			t.Fatal(err)
		}
		if want := string(text) + "\n"; out.String() != want {
			t.Errorf("-prompt %q %v printed %q, want %q", tc.prompt, tc.flags, out.String(), want)
		}
	}
	if err := run([]string{"-model", bin, "-prompt", "x"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "-tokenizer") {
		t.Errorf("a prompt without a tokenizer: %v, want an error pointing to -tokenizer", err)
	}
	if err := run([]string{"-model", tiny, "-tokenizer", tokBin, "-prompt", "x"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "vocab_size") {
		t.Errorf("a tokenizer larger than the model: %v", err)
	}
}
