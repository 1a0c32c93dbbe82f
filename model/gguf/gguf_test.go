package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	parser "github.com/gpustack/gguf-parser-go"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/internal/half"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/model/llama2c"
)

// testModel returns a small GQA model with distinct random weights and a
// tokenizer of fewer tokens than the vocabulary.
func testModel(t *testing.T, tied bool) (model.Config, [][]float32, *data.Tokenizer) {
	t.Helper()
	tok, err := data.TrainBPE([][]byte{[]byte("low lower lowest newer wider é")}, 262)
	if err != nil {
		t.Fatal(err)
	}
	c := model.Config{VocabSize: 270, HiddenSize: 24, IntermediateSize: 40, NumHiddenLayers: 2, NumAttentionHeads: 6,
		NumKeyValueHeads: 2, RMSNormEps: 1e-5, RopeTheta: 500000, MaxPositionEmbeddings: 64, TieWordEmbeddings: tied}
	return c, c.Init(7), tok
}

// TestWriteReadBack writes f32 and f16 files and reads them with an
// independent parser: metadata, tokenizer, tensor names, dimensions
// (reversed), types, offsets, and values (read at the parsed offsets, q and
// k un-permuted), which must be the model's weights (f16: rounded).
func TestWriteReadBack(t *testing.T) {
	for _, tc := range []struct {
		dt   DType
		tied bool
	}{{F32, false}, {F16, true}} {
		t.Run(fmt.Sprintf("dtype%d/tied=%v", tc.dt, tc.tied), func(t *testing.T) {
			c, values, tok := testModel(t, tc.tied)
			path := filepath.Join(t.TempDir(), "model.gguf")
			if err := WriteFile(path, c, values, tok, tc.dt); err != nil {
				t.Fatal(err)
			}
			gf, err := parser.ParseGGUFFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if gf.Header.Magic != parser.GGUFMagicGGUFLe || gf.Header.Version != parser.GGUFVersionV3 {
				t.Fatalf("magic %v version %v", gf.Header.Magic, gf.Header.Version)
			}
			checkMetadata(t, gf, c, tok, tc.dt)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkTensors(t, gf, raw, c, values, tc.dt)
		})
	}
}

func checkMetadata(t *testing.T, gf *parser.GGUFFile, c model.Config, tok *data.Tokenizer, dt DType) {
	t.Helper()
	kvs := gf.Header.MetadataKV
	get := func(key string) parser.GGUFMetadataKV {
		kv, ok := kvs.Get(key)
		if !ok {
			t.Fatalf("metadata key %q missing", key)
		}
		return kv
	}
	if got := get("general.architecture").ValueString(); got != "llama" {
		t.Errorf("general.architecture %q", got)
	}
	wantFileType := uint32(0)
	if dt == F16 {
		wantFileType = 1
	}
	for key, want := range map[string]uint32{
		"general.file_type":             wantFileType,
		"general.alignment":             Alignment,
		"llama.context_length":          uint32(c.MaxPositionEmbeddings),
		"llama.embedding_length":        uint32(c.HiddenSize),
		"llama.block_count":             uint32(c.NumHiddenLayers),
		"llama.feed_forward_length":     uint32(c.IntermediateSize),
		"llama.attention.head_count":    uint32(c.NumAttentionHeads),
		"llama.attention.head_count_kv": uint32(c.NumKeyValueHeads),
		"llama.rope.dimension_count":    uint32(c.HeadDim()),
		"llama.vocab_size":              uint32(c.VocabSize),
		"tokenizer.ggml.bos_token_id":   uint32(tok.EOT()),
		"tokenizer.ggml.eos_token_id":   uint32(tok.EOT()),
	} {
		if got := get(key).ValueUint32(); got != want {
			t.Errorf("%s = %d, want %d", key, got, want)
		}
	}
	for key, want := range map[string]float64{
		"llama.rope.freq_base":                   c.RopeTheta,
		"llama.attention.layer_norm_rms_epsilon": c.RMSNormEps,
	} {
		if got := get(key).ValueFloat32(); got != float32(want) {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	if got := get("tokenizer.ggml.model").ValueString(); got != "gpt2" {
		t.Errorf("tokenizer.ggml.model %q", got)
	}
	tokens := get("tokenizer.ggml.tokens").ValueArray().ValuesString()
	types := get("tokenizer.ggml.token_type").ValueArray().ValuesInt32()
	merges := get("tokenizer.ggml.merges").ValueArray().ValuesString()
	if len(tokens) != c.VocabSize || len(types) != c.VocabSize || len(merges) != tok.NumMerges() {
		t.Fatalf("%d tokens, %d types, %d merges; want %d, %d, %d", len(tokens), len(types), len(merges), c.VocabSize, c.VocabSize, tok.NumMerges())
	}
	// Byte-level spellings: byte 'a' is itself, a space is 'Ġ', and the
	// first merge joins two such spellings.
	if tokens['a'] != "a" || tokens[' '] != "Ġ" || types['a'] != tokenNormal {
		t.Errorf("tokens 'a' and ' ': %q, %q (type %d)", tokens['a'], tokens[' '], types['a'])
	}
	if tokens[tok.EOT()] != data.EndOfText || types[tok.EOT()] != tokenControl {
		t.Errorf("end-of-text token %q type %d", tokens[tok.EOT()], types[tok.EOT()])
	}
	if last := c.VocabSize - 1; tokens[last] != fmt.Sprintf("[PAD%d]", last) || types[last] != tokenUnused {
		t.Errorf("padding token %q type %d", tokens[last], types[last])
	}
	parts := strings.Split(merges[0], " ")
	if len(parts) != 2 || !slices.Contains(tokens, parts[0]+parts[1]) {
		t.Errorf("first merge %q does not make a token", merges[0])
	}
	gt := gf.Tokenizer()
	if gt.Model != "gpt2" || gt.TokensLength != uint64(c.VocabSize) || gt.BOSTokenID != int64(tok.EOT()) {
		t.Errorf("parser's tokenizer view: %+v", gt)
	}
}

func checkTensors(t *testing.T, gf *parser.GGUFFile, raw []byte, c model.Config, values [][]float32, dt DType) {
	t.Helper()
	specs := c.ParamSpecs()
	if len(gf.TensorInfos) != len(specs) {
		t.Fatalf("%d tensors, want %d", len(gf.TensorInfos), len(specs))
	}
	if gf.TensorDataStartOffset%Alignment != 0 {
		t.Errorf("data section at %d, not aligned to %d", gf.TensorDataStartOffset, Alignment)
	}
	want := map[string]bool{"token_embd.weight": true, "output_norm.weight": true, "output.weight": !c.TieWordEmbeddings}
	for l := range c.NumHiddenLayers {
		for _, s := range []string{"attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"} {
			want[fmt.Sprintf("blk.%d.%s.weight", l, s)] = true
		}
	}
	hd := c.HeadDim()
	for i, info := range gf.TensorInfos {
		p := specs[i]
		if !want[info.Name] {
			t.Errorf("unexpected tensor %q", info.Name)
		}
		delete(want, info.Name)
		dims := make([]int, len(info.Dimensions))
		for j, d := range info.Dimensions {
			dims[len(dims)-1-j] = int(d)
		}
		if !slices.Equal(dims, p.Shape) {
			t.Errorf("%s: dimensions %v, want %v reversed", info.Name, info.Dimensions, p.Shape)
		}
		wantType := parser.GGMLTypeF32
		if dt == F16 && len(p.Shape) > 1 {
			wantType = parser.GGMLTypeF16
		}
		if info.Type != wantType || info.Offset%Alignment != 0 {
			t.Errorf("%s: type %v offset %d, want %v and a multiple of %d", info.Name, info.Type, info.Offset, wantType, Alignment)
		}
		start := gf.TensorDataStartOffset + int64(info.Offset)
		got := make([]float32, p.Size())
		for j := range got {
			if wantType == parser.GGMLTypeF16 {
				got[j] = half.ToFloat32(binary.LittleEndian.Uint16(raw[start+2*int64(j):]))
			} else {
				got[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[start+4*int64(j):]))
			}
		}
		switch {
		case strings.HasSuffix(info.Name, "attn_q.weight"):
			got = llama2c.RotateHalfRows(got, c.NumAttentionHeads, hd, c.HiddenSize)
		case strings.HasSuffix(info.Name, "attn_k.weight"):
			got = llama2c.RotateHalfRows(got, c.NumKeyValueHeads, hd, c.HiddenSize)
		}
		for j, v := range values[i] {
			w := v
			if wantType == parser.GGMLTypeF16 {
				w = half.ToFloat32(half.FromFloat32(v))
			}
			if got[j] != w {
				t.Fatalf("%s[%d] = %v, want %v", info.Name, j, got[j], w)
			}
		}
	}
	for name, missing := range want {
		if missing {
			t.Errorf("tensor %q missing", name)
		}
	}
}

// TestPermutationIsLlamaCpps checks ToInterleaved against llama.cpp's
// permute, w.reshape(heads, 2, hs/2, in).swapaxes(1, 2), written out as
// index arithmetic: row (h, j, s) of the result, j < hs/2 and s < 2, is row
// (h, s, j) of the input.
func TestPermutationIsLlamaCpps(t *testing.T) {
	const heads, hs, in = 3, 8, 2
	w := make([]float32, heads*hs*in)
	for i := range w {
		w[i] = float32(i)
	}
	got := llama2c.ToInterleaved(w, heads, hs, in)
	for h := range heads {
		for j := range hs / 2 {
			for s := range 2 {
				dst := h*hs + j*2 + s
				src := h*hs + s*hs/2 + j
				for k := range in {
					if got[dst*in+k] != w[src*in+k] {
						t.Fatalf("row %d holds %v, want row %d", dst, got[dst*in:dst*in+in], src)
					}
				}
			}
		}
	}
	if back := llama2c.RotateHalfRows(got, heads, hs, in); !slices.Equal(back, w) {
		t.Error("RotateHalfRows does not undo ToInterleaved")
	}
}

// TestWriteErrors checks that inconsistent inputs are errors.
func TestWriteErrors(t *testing.T) {
	c, values, tok := testModel(t, false)
	small := c
	small.VocabSize = 100
	cases := []struct {
		name string
		err  error
	}{
		{"missing tensor", Write(&strings.Builder{}, c, values[1:], tok, F32)},
		{"short tensor", Write(&strings.Builder{}, c, append([][]float32{values[0][1:]}, values[1:]...), tok, F32)},
		{"tokenizer larger than the vocabulary", Write(&strings.Builder{}, small, small.Init(1), tok, F32)},
	}
	for _, tc := range cases {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if _, err := ParseDType("bf16"); err == nil || !strings.Contains(err.Error(), "f32 or f16") {
		t.Errorf("ParseDType(bf16): %v", err)
	}
}
