package gguf

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	parser "github.com/gpustack/gguf-parser-go"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/model"
)

// FuzzWriteReadBack checks Write over model shapes (layers, GQA groups,
// head widths, MLP widths, padded vocabularies, tied or not), weight scales
// (float16 overflow and underflow included) and both dtypes: an independent
// parser must read every file back with the metadata, tokenizer, tensor
// names, dimensions, offsets and values of TestWriteReadBack. plateau has
// no GGUF reader of its own, so the writer's round trip is what is fuzzed.
func FuzzWriteReadBack(f *testing.F) {
	tok, err := data.TrainBPE([][]byte{[]byte("low lower lowest newer wider é")}, 262)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint64(7), uint8(1), uint8(2), uint8(1), uint8(3), uint8(39), uint8(7), float32(1), false, false)
	f.Add(uint64(1), uint8(0), uint8(0), uint8(0), uint8(0), uint8(0), uint8(0), float32(1e5), true, true)
	f.Add(uint64(3), uint8(2), uint8(3), uint8(2), uint8(1), uint8(5), uint8(31), float32(1e-6), false, true)
	path := filepath.Join(f.TempDir(), "model.gguf") // one per fuzzing process, which runs inputs one at a time
	f.Fuzz(func(t *testing.T, seed uint64, layers, kv, group, halfHD, ffn, pad uint8, scale float32, tied, f16 bool) {
		if math.IsNaN(float64(scale)) || math.IsInf(float64(scale), 0) {
			return
		}
		kvHeads, heads, hd := 1+int(kv%3), (1+int(kv%3))*(1+int(group%3)), 2*(1+int(halfHD%4))
		c := model.Config{VocabSize: tok.VocabSize() + 1 + int(pad%32), HiddenSize: heads * hd, IntermediateSize: 1 + int(ffn%48),
			NumHiddenLayers: 1 + int(layers%3), NumAttentionHeads: heads, NumKeyValueHeads: kvHeads,
			RMSNormEps: 1e-5, RopeTheta: 10000, MaxPositionEmbeddings: 16, TieWordEmbeddings: tied}
		values := c.Init(seed)
		for _, v := range values {
			for j := range v {
				v[j] *= scale
			}
		}
		dt := F32
		if f16 {
			dt = F16
		}
		var buf bytes.Buffer
		if err := Write(&buf, c, values, tok, dt); err != nil {
			t.Fatalf("Write %+v: %v", c, err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		gf, err := parser.ParseGGUFFile(path)
		if err != nil {
			t.Fatalf("the parser rejects the file of %+v: %v", c, err)
		}
		checkMetadata(t, gf, c, tok, dt)
		checkTensors(t, gf, buf.Bytes(), c, values, dt)
	})
}
