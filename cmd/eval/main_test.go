package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/infer"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/model/safetensors"
)

const tiny = "../../infer/testdata/tiny-text"

// runJSON runs eval and decodes its JSON output into v.
func runJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	var out bytes.Buffer
	if err := run(args, &out); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out.Bytes(), v); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
}

// TestEval scores a text file with a sliding window, dumps logits of -ids
// sequences and encodes a file, checking each against the library.
func TestEval(t *testing.T) {
	dir := t.TempDir()
	m, err := infer.Open(kernels.NewCPU(1), tiny)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	text := "the cat sat on the mat. the dog sat on the log, naïve 😀 " + strings.Repeat("the café ", 12)
	textPath := filepath.Join(dir, "text.txt")
	os.WriteFile(textPath, []byte(text), 0o644)

	var s infer.Score
	runJSON(t, &s, "-model", tiny, "-text", textPath, "-window", "16", "-stride", "8", "-batch", "3")
	want, err := m.ScoreText(m.Tokenizer.Encode([]byte(text)), infer.ScoreOptions{Window: 16, Stride: 8, Batch: 3})
	if err != nil {
		t.Fatal(err)
	}
	if s != want || s.Tokens < 32 || s.BitsPerByte <= 0 || math.IsNaN(s.Loss) {
		t.Errorf("eval -text: %+v, library %+v", s, want)
	}

	seqs := [][]int32{{1, 2, 3, 4}, {5, 6, 7, 279}}
	idsPath, dump := filepath.Join(dir, "ids.json"), filepath.Join(dir, "logits.safetensors")
	raw, _ := json.Marshal(seqs)
	os.WriteFile(idsPath, raw, 0o644)
	runJSON(t, &s, "-model", tiny, "-ids", idsPath, "-dump-logits", dump)
	f, err := safetensors.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	logits, err := m.Logits(seqs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Data("logits", 2, 4, m.Config.VocabSize)
	if err != nil || !slices.Equal(got, logits) {
		t.Errorf("dumped logits differ from the library's (%v)", err)
	}

	var ps infer.PositionScore
	runJSON(t, &ps, "-model", tiny, "-text", textPath, "-by-position", "-window", "8", "-batch", "3")
	wantPS, err := m.LossByPosition(m.Tokenizer.Encode([]byte(text)), 8, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ps.LossByPosition, wantPS.LossByPosition) || ps.Windows != wantPS.Windows || ps.Windows < 3 {
		t.Errorf("eval -by-position: %+v, library %+v", ps, wantPS)
	}

	docs := filepath.Join(dir, "docs")
	os.Mkdir(docs, 0o755)
	for i := range 8 {
		os.WriteFile(filepath.Join(docs, fmt.Sprintf("%d.txt", i)), []byte(strings.Repeat(text, i+1)), 0o644)
	}
	var dps infer.PositionScore
	runJSON(t, &dps, "-model", tiny, "-data", "dir:"+docs, "-val-frac", "0.5", "-by-position", "-window", "8")
	if dps.Windows < 1 || len(dps.LossByPosition) != 8 {
		t.Errorf("eval -data -by-position: %+v", dps)
	}

	var ids []int32
	runJSON(t, &ids, "-model", tiny, "-encode", textPath)
	if !slices.Equal(ids, m.Tokenizer.Encode([]byte(text))) {
		t.Errorf("-encode gave %v", ids)
	}
}

// TestEvalErrors checks that bad flags are errors naming them.
func TestEvalErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-model", tiny}, "exactly one of"},
		{[]string{"-model", tiny, "-text", "a", "-builtin-val"}, "exactly one of"},
		{[]string{"-model", tiny, "-text", "missing.txt"}, "flag -text"},
		{[]string{"-model", tiny, "-text", "main.go", "-stride", "99"}, "flag -stride"},
		{[]string{"-model", tiny, "-text", "main.go", "-window", "33"}, "flag -window"},
		{[]string{"-model", tiny, "-builtin-val", "-dump-logits", "x"}, "-dump-logits needs -ids"},
		{[]string{"-model", tiny, "-ids", "x.json", "-by-position"}, "-by-position needs a text"},
		{[]string{"-model", tiny, "-data", "nosuch:x"}, "flag -data"},
		{[]string{"-model", "missing", "-text", "main.go"}, "missing"},
		{[]string{"-model", tiny, "-text", "main.go", "-device", "tpu"}, "flag -device"},
	}
	for _, c := range cases {
		err := run(c.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
}

// TestEvalSpecial checks that text is plain by default and that -special
// parses "<|endoftext|>" as the end-of-text id, in -encode and in scoring,
// and that -tokenizer puts a tokenizer on a model that has none.
func TestEvalSpecial(t *testing.T) {
	dir := t.TempDir()
	m, err := infer.Open(kernels.NewCPU(1), tiny)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	text := []byte("the cat<|endoftext|>the mat")
	path := filepath.Join(dir, "doc.txt")
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	var plain, special []int32
	runJSON(t, &plain, "-model", tiny, "-encode", path)
	runJSON(t, &special, "-model", tiny, "-encode", path, "-special")
	eot := m.Tokenizer.EOT()
	if !slices.Equal(plain, m.Tokenizer.Encode(text)) || slices.Contains(plain, eot) {
		t.Errorf("plain -encode gave %v", plain)
	}
	if !slices.Equal(special, m.Tokenizer.EncodeSpecial(text)) || !slices.Contains(special, eot) {
		t.Errorf("-encode -special gave %v", special)
	}
	var s infer.Score
	runJSON(t, &s, "-model", tiny, "-text", path, "-special")
	if s.Tokens != len(special)-1 {
		t.Errorf("-text -special scored %d tokens, want %d", s.Tokens, len(special)-1)
	}
	// The folder's weights without its tokenizer: a llama2.c-style model.
	bare := filepath.Join(dir, "bare")
	if err := model.SaveFolder(bare, m.Config, mustValues(t), nil); err != nil {
		t.Fatal(err)
	}
	var again []int32
	runJSON(t, &again, "-model", bare, "-tokenizer", filepath.Join(tiny, "tokenizer.json"), "-encode", path)
	if !slices.Equal(again, plain) {
		t.Errorf("-tokenizer gave %v, want %v", again, plain)
	}
}

// mustValues reads the tiny model's parameters.
func mustValues(t *testing.T) [][]float32 {
	t.Helper()
	_, values, _, err := infer.ReadModel(tiny)
	if err != nil {
		t.Fatal(err)
	}
	return values
}
