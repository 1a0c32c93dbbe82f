package main

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	parser "github.com/gpustack/gguf-parser-go"

	"github.com/plateau-lab/plateau/infer"
	"github.com/plateau-lab/plateau/kernels"
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
