package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	parser "github.com/gpustack/gguf-parser-go"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/infer"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/model/llama2c"
)

// writeCheckpoint writes a llama2.c version 1 checkpoint of random floats
// (dim 8, hidden 12, 1 layer, 2 heads, 1 kv head, vocabulary 10, context 6,
// shared classifier).
func writeCheckpoint(t *testing.T, path string) {
	t.Helper()
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, []uint32{llama2c.Magic, 1})
	binary.Write(&b, binary.LittleEndian, []int32{8, 12, 1, 2, 1, 10, 6})
	b.WriteByte(1)
	b.Write(make([]byte, 256-b.Len()))
	// norms (2*8 + 8), embedding 80, wq 64, wk 32, wv 32, wo 64, w1, w2, w3 96 each.
	n := 2*8 + 8 + 80 + 64 + 32 + 32 + 64 + 3*96
	r := rand.New(rand.NewPCG(1, 2))
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	binary.Write(&b, binary.LittleEndian, w)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestExport converts a llama2.c checkpoint to a Hugging Face folder, checks
// that the folder computes the checkpoint's logits, then exports the folder
// to GGUF.
func TestExport(t *testing.T) {
	dir := t.TempDir()
	bin, folder, ggufPath := filepath.Join(dir, "tiny.bin"), filepath.Join(dir, "tiny"), filepath.Join(dir, "tiny.gguf")
	writeCheckpoint(t, bin)
	if err := run([]string{"-format", "hf", "-in", bin, "-out", folder}); err != nil {
		t.Fatal(err)
	}
	ids := [][]int32{{1, 2, 3, 9, 0, 4}}
	logits := func(path string) []float32 {
		m, err := infer.Open(kernels.NewCPU(1), path)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		l, err := m.Logits(ids)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	if a, b := logits(bin), logits(folder); !slices.Equal(a, b) {
		t.Errorf("the exported folder's logits differ from the checkpoint's")
	}
	if err := run([]string{"-format", "gguf", "-dtype", "f16", "-in", folder, "-out", ggufPath}); err != nil {
		t.Fatal(err)
	}
	gf, err := parser.ParseGGUFFile(ggufPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(gf.TensorInfos) != 1+9+1 { // embedding, one layer, final norm; tied head
		t.Errorf("%d tensors in the GGUF file", len(gf.TensorInfos))
	}
}

// TestExportErrors checks that bad flags and inputs are errors naming them.
func TestExportErrors(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "tiny.bin")
	writeCheckpoint(t, bin)
	trunc := filepath.Join(dir, "trunc.bin")
	raw, _ := os.ReadFile(bin)
	os.WriteFile(trunc, raw[:len(raw)-3], 0o644)
	out := filepath.Join(dir, "out")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-in", bin}, "-out"},
		{[]string{"-format", "onnx", "-in", bin, "-out", out}, "flag -format"},
		{[]string{"-dtype", "bf16", "-in", bin, "-out", out}, "flag -dtype"},
		{[]string{"-in", filepath.Join(dir, "missing"), "-out", out}, "flag -in"},
		{[]string{"-in", trunc, "-out", out}, "trunc.bin"},
	}
	for _, c := range cases {
		err := run(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
}

// exportStrings are encoded by the exported tokenizers.
var exportStrings = []string{
	"Call me Ishmael.", "", " ", "  two  spaces", "café naïve façade", "日本語 🙂",
	"line\nbreak", "end.<|endoftext|>next", "<s>Call</s> me <unk>",
}

// TestExportTokenizer exports a llama2.c checkpoint with a tokenizer.bin to
// a Hugging Face folder and a trained model folder again: each gets the
// tokenizer files, plateau reads the tokenizer back from the folder to the
// same encodings, and, when PLATEAU_NODE_MODULES names a node_modules
// folder holding @huggingface/transformers (scripts/hf-js-deps.sh installs
// one), transformers.js's AutoTokenizer loads it through
// tokenizer_config.json and encodes every string as plateau does with
// special tokens parsed (data.Tokenizer.EncodeSpecial, after the begin
// token for the sentencepiece one).
func TestExportTokenizer(t *testing.T) {
	dir := t.TempDir()
	c := model.Config{VocabSize: 640, HiddenSize: 8, IntermediateSize: 12, NumHiddenLayers: 1, NumAttentionHeads: 2,
		NumKeyValueHeads: 1, RMSNormEps: 1e-5, RopeTheta: 10000, MaxPositionEmbeddings: 16, TieWordEmbeddings: true}
	bin := filepath.Join(dir, "sp.bin")
	if err := llama2c.WriteFile(bin, c, c.Init(1), 0); err != nil {
		t.Fatal(err)
	}
	const spTok = "../../data/testdata/sp-tokenizer.bin"
	spFolder, blFolder := filepath.Join(dir, "sp"), filepath.Join(dir, "bl")
	if err := run([]string{"-format", "hf", "-in", bin, "-tokenizer", spTok, "-out", spFolder}); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-format", "hf", "-in", "../../infer/testdata/tiny-text", "-out", blFolder}); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-format", "gguf", "-in", spFolder, "-out", filepath.Join(dir, "sp.gguf")}); err == nil ||
		!strings.Contains(err.Error(), "sentencepiece") {
		t.Errorf("GGUF with a sentencepiece tokenizer: %v, want a refusal", err)
	}
	sp, err := data.LoadTokenizerBin(spTok)
	if err != nil {
		t.Fatal(err)
	}
	bl, err := data.LoadTokenizer("../../infer/testdata/tiny-text/tokenizer.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		dir string
		tok *data.Tokenizer
	}{{spFolder, sp}, {blFolder, bl}} {
		for _, name := range []string{data.TokenizerJSONFile, data.TokenizerConfigFile, data.SpecialTokensMapFile, data.GenerationConfigFile} {
			if _, err := os.Stat(filepath.Join(f.dir, name)); err != nil {
				t.Errorf("%s: %v", f.dir, err)
			}
		}
		m, err := infer.Open(kernels.NewCPU(1), f.dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range exportStrings {
			if a, b := m.EncodePrompt([]byte(s), true), encodeWithBOS(f.tok, s); !slices.Equal(a, b) {
				t.Errorf("%s: %q encodes as %v, the source tokenizer %v", f.dir, s, a, b)
			}
		}
		m.Close()
	}

	modules := os.Getenv("PLATEAU_NODE_MODULES")
	node, err := exec.LookPath("node")
	if modules == "" || err != nil {
		t.Skip("transformers.js check skipped: set PLATEAU_NODE_MODULES (scripts/hf-js-deps.sh) and put node on PATH")
	}
	strs := filepath.Join(dir, "strings.json")
	raw, _ := json.Marshal(exportStrings)
	if err := os.WriteFile(strs, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		dir, class string
		tok        *data.Tokenizer
	}{{spFolder, "LlamaTokenizer", sp}, {blFolder, "GPT2Tokenizer", bl}} {
		cmd := exec.Command(node, "testdata/autotokenizer.mjs", f.dir, strs)
		cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("AutoTokenizer on %s: %v\n%s", f.dir, err, out)
		}
		var got struct {
			Class string    `json:"class"`
			IDs   [][]int32 `json:"ids"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("AutoTokenizer on %s printed %s: %v", f.dir, out, err)
		}
		if got.Class != f.class || len(got.IDs) != len(exportStrings) {
			t.Fatalf("AutoTokenizer on %s: class %s, %d encodings", f.dir, got.Class, len(got.IDs))
		}
		for i, s := range exportStrings {
			if want := encodeWithBOS(f.tok, s); !slices.Equal(got.IDs[i], want) {
				t.Errorf("%s: transformers.js encodes %q as %v, plateau %v", f.class, s, got.IDs[i], want)
			}
		}
	}
}

// encodeWithBOS is the begin token, if tok has one, then EncodeSpecial.
func encodeWithBOS(tok *data.Tokenizer, s string) []int32 {
	ids := []int32{}
	if bos, ok := tok.BOS(); ok {
		ids = append(ids, bos)
	}
	return append(ids, tok.EncodeSpecial([]byte(s))...)
}
