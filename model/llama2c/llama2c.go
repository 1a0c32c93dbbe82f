// Package llama2c reads the float32 checkpoints of llama2.c (Andrej
// Karpathy's "Llama 2 in one file of C", whose TinyStories models such as
// stories15M.bin are a common small Llama) and converts them to plateau's
// model: a Hugging Face Llama config and its parameters.
//
// Two layouts exist, both little-endian. The legacy one (version 0) is a
// header of seven int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads,
// vocab_size, seq_len; a negative vocab_size means the classifier is not
// shared with the embedding) followed by the tensors in run.c's order:
// embedding, then per kind and for every layer the attention norm, wq, wk,
// wv, wo, the MLP norm, w1, w2, w3, then the final norm, the RoPE tables
// freq_cis_real and freq_cis_imag ([seq_len, head_size/2] each, skipped
// here) and, when not shared, the classifier. Version 1 starts with a
// 256-byte header: the magic "ak42" (0x616b3432), the version, the seven
// int32 (vocab_size positive), a byte that is 1 when the classifier is
// shared, zero padding; then the norms (attention, MLP, final), the
// embedding, wq, wk, wv, wo, w1, w2, w3 of every layer and the optional
// classifier, without RoPE tables. Version 2 (int8 weights) is not read.
//
// llama2.c applies RoPE to adjacent pairs (0,1), (2,3), ... of each head;
// Hugging Face (and plateau) rotate dimension i with i+head_size/2. The
// conversion permutes the rows of wq and wk within each head so that the
// converted model computes the same attention scores. llama2.c uses
// rms_norm_eps 1e-5 and rope_theta 10000.
package llama2c

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/plateau-lab/plateau/internal/mmapfile"
	"github.com/plateau-lab/plateau/model"
)

// Magic starts a llama2.c checkpoint of version 1 or later ("ak42").
const Magic = 0x616b3432

// maxField bounds every header field.
const maxField = 1 << 20

// headerV1 is the size of the header of version 1 files.
const headerV1 = 256

// Header is the model shape a checkpoint declares.
type Header struct {
	Version                                                   int // 0: legacy
	Dim, HiddenDim, Layers, Heads, KVHeads, VocabSize, SeqLen int
	Shared                                                    bool // the classifier is the embedding
}

// ReadFile reads the llama2.c checkpoint at path.
func ReadFile(path string) (Header, model.Config, [][]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, model.Config{}, nil, fmt.Errorf("llama2.c checkpoint: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Header{}, model.Config{}, nil, fmt.Errorf("llama2.c checkpoint %s: %w", path, err)
	}
	h, c, v, err := Read(f, st.Size())
	if err != nil {
		return h, c, nil, fmt.Errorf("llama2.c checkpoint %s: %w", path, err)
	}
	return h, c, v, nil
}

// Read reads a checkpoint of size bytes from r and returns its header, the
// equivalent Hugging Face config and the parameters in ParamSpecs order
// (wq and wk permuted to rotate-half RoPE). The size must be exactly what
// the header implies: a truncated file, trailing bytes, a bad magic or an
// unsupported version is an error saying which.
func Read(r io.Reader, size int64) (Header, model.Config, [][]float32, error) {
	h, err := readHeader(r, size)
	if err != nil {
		return h, model.Config{}, nil, err
	}
	c := h.Config()
	if err := c.Validate(); err != nil {
		return h, c, nil, fmt.Errorf("header: %w", err)
	}
	start := int64(7 * 4)
	if h.Version == 1 {
		start = headerV1
	}
	if want := start + 4*h.payloadFloats(); want != size {
		return h, c, nil, fmt.Errorf("header says %d layers of dim %d, vocabulary %d (shared classifier: %v): want %d bytes, the file has %d",
			h.Layers, h.Dim, h.VocabSize, h.Shared, want, size)
	}
	values, err := h.readTensors(r)
	if err != nil {
		return h, c, nil, err
	}
	return h, c, values, nil
}

// readHeader reads and checks the header.
func readHeader(r io.Reader, size int64) (Header, error) {
	if size < 7*4 {
		return Header{}, fmt.Errorf("truncated: %d bytes, shorter than the %d-byte header", size, 7*4)
	}
	var first [7 * 4]byte // version 0: the seven fields; else magic, version, five fields
	if _, err := io.ReadFull(r, first[:]); err != nil {
		return Header{}, fmt.Errorf("read header: %w", err)
	}
	word := func(b []byte, i int) int32 { return int32(binary.LittleEndian.Uint32(b[4*i:])) }
	if binary.LittleEndian.Uint32(first[:]) != Magic {
		h := fieldsHeader(func(i int) int32 { return word(first[:], i) })
		h.Shared = h.VocabSize > 0
		h.VocabSize = abs(h.VocabSize)
		return h, h.check()
	}
	if v := word(first[:], 1); v != 1 {
		return Header{}, fmt.Errorf("version %d: only versions 0 (legacy) and 1 (float32) are supported", v)
	}
	if size < headerV1 {
		return Header{}, fmt.Errorf("truncated: %d bytes, shorter than the %d-byte version 1 header", size, headerV1)
	}
	var full [headerV1]byte
	copy(full[:], first[:])
	if _, err := io.ReadFull(r, full[len(first):]); err != nil {
		return Header{}, fmt.Errorf("read header: %w", err)
	}
	h := fieldsHeader(func(i int) int32 { return word(full[8:], i) })
	h.Version = 1
	switch flag := full[8+7*4]; flag {
	case 0, 1:
		h.Shared = flag == 1
	default:
		return h, fmt.Errorf("header: shared_classifier byte is %d, want 0 or 1", flag)
	}
	return h, h.check()
}

// fieldsHeader makes a Header of the seven int32 fields field(0..6).
func fieldsHeader(field func(i int) int32) Header {
	return Header{Dim: int(field(0)), HiddenDim: int(field(1)), Layers: int(field(2)), Heads: int(field(3)),
		KVHeads: int(field(4)), VocabSize: int(field(5)), SeqLen: int(field(6))}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// check reports a header field that no model has.
func (h Header) check() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"dim", h.Dim}, {"hidden_dim", h.HiddenDim}, {"n_layers", h.Layers}, {"n_heads", h.Heads},
		{"n_kv_heads", h.KVHeads}, {"vocab_size", h.VocabSize}, {"seq_len", h.SeqLen}} {
		if f.v <= 0 {
			return fmt.Errorf("header: %s is %d, want a positive number (is this a llama2.c checkpoint?)", f.name, f.v)
		}
		// Bounds far above any model this format holds keep the size
		// arithmetic from overflowing.
		if f.v > maxField {
			return fmt.Errorf("header: %s is %d, more than the %d this reader accepts (is this a llama2.c checkpoint?)", f.name, f.v, maxField)
		}
	}
	return nil
}

// Config is the Hugging Face Llama config of the model h describes.
func (h Header) Config() model.Config {
	return model.Config{
		VocabSize: h.VocabSize, HiddenSize: h.Dim, IntermediateSize: h.HiddenDim,
		NumHiddenLayers: h.Layers, NumAttentionHeads: h.Heads, NumKeyValueHeads: h.KVHeads,
		RMSNormEps: 1e-5, RopeTheta: 10000, MaxPositionEmbeddings: h.SeqLen, TieWordEmbeddings: h.Shared,
	}
}

// tensor is one block of the file: per-layer tensors come as one block of
// layers*size floats.
type tensor struct {
	name      string // ParamSpecs name, with %d for the layer
	size      int    // floats per layer (or in all for a model-level tensor)
	perLayer  bool
	skip      bool // RoPE tables of version 0
	permuteQK int  // heads whose rows are permuted, 0 for none
}

// layout lists the file's blocks in order.
func (h Header) layout() []tensor {
	d, f, v := h.Dim, h.HiddenDim, h.VocabSize
	kv := h.KVHeads * (d / h.Heads)
	hs := d / h.Heads
	embed := tensor{name: "model.embed_tokens.weight", size: v * d}
	attnNorm := tensor{name: "model.layers.%d.input_layernorm.weight", size: d, perLayer: true}
	mlpNorm := tensor{name: "model.layers.%d.post_attention_layernorm.weight", size: d, perLayer: true}
	norm := tensor{name: "model.norm.weight", size: d}
	matrices := []tensor{
		{name: "model.layers.%d.self_attn.q_proj.weight", size: d * d, perLayer: true, permuteQK: h.Heads},
		{name: "model.layers.%d.self_attn.k_proj.weight", size: kv * d, perLayer: true, permuteQK: h.KVHeads},
		{name: "model.layers.%d.self_attn.v_proj.weight", size: kv * d, perLayer: true},
		{name: "model.layers.%d.self_attn.o_proj.weight", size: d * d, perLayer: true},
	}
	mlp := []tensor{
		{name: "model.layers.%d.mlp.gate_proj.weight", size: f * d, perLayer: true},
		{name: "model.layers.%d.mlp.down_proj.weight", size: d * f, perLayer: true},
		{name: "model.layers.%d.mlp.up_proj.weight", size: f * d, perLayer: true},
	}
	var out []tensor
	if h.Version == 0 {
		out = append(out, embed, attnNorm)
		out = append(out, matrices...)
		out = append(out, mlpNorm)
		out = append(out, mlp...)
		out = append(out, norm,
			tensor{name: "freq_cis_real", size: h.SeqLen * hs / 2, skip: true},
			tensor{name: "freq_cis_imag", size: h.SeqLen * hs / 2, skip: true})
	} else {
		out = append(out, attnNorm, mlpNorm, norm, embed)
		out = append(out, matrices...)
		out = append(out, mlp...)
	}
	if !h.Shared {
		out = append(out, tensor{name: "lm_head.weight", size: v * d})
	}
	return out
}

// payloadFloats is the number of float32 after the header.
func (h Header) payloadFloats() int64 {
	var n int64
	for _, t := range h.layout() {
		k := int64(t.size)
		if t.perLayer {
			k *= int64(h.Layers)
		}
		n += k
	}
	return n
}

// eachBlock calls fn for every tensor block of the file in order, once per
// layer for a per-layer tensor, with the parameter's name (the layer filled
// in); it stops at the first error.
func (h Header) eachBlock(fn func(t tensor, name string) error) error {
	for _, t := range h.layout() {
		if !t.perLayer {
			if err := fn(t, t.name); err != nil {
				return err
			}
			continue
		}
		for l := range h.Layers {
			if err := fn(t, fmt.Sprintf(t.name, l)); err != nil {
				return err
			}
		}
	}
	return nil
}

// paramIndex maps the ParamSpecs names of h's config to their order.
func (h Header) paramIndex() map[string]int {
	index := map[string]int{}
	for i, p := range h.Config().ParamSpecs() {
		index[p.Name] = i
	}
	return index
}

// readTensors reads every block and returns the parameters in ParamSpecs
// order.
func (h Header) readTensors(r io.Reader) ([][]float32, error) {
	index := h.paramIndex()
	values := make([][]float32, len(index))
	var buf []byte
	err := h.eachBlock(func(t tensor, name string) error {
		if cap(buf) < 4*t.size {
			buf = make([]byte, 4*t.size)
		}
		b := buf[:4*t.size]
		if _, err := io.ReadFull(r, b); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return fmt.Errorf("truncated in tensor %s", name)
			}
			return fmt.Errorf("read tensor %s: %w", name, err)
		}
		if !t.skip {
			values[index[name]] = h.decode(t, b, false)
		}
		return nil
	})
	return values, err
}

// decode converts block t's little-endian bytes to its parameter, viewing
// them in place when inPlace is set and the host allows (mmapfile.Float32s),
// and permuting wq and wk to rotate-half rows (a copy).
func (h Header) decode(t tensor, raw []byte, inPlace bool) []float32 {
	var w []float32
	if inPlace {
		w, _ = mmapfile.Float32s(raw, 0, t.size)
	}
	if w == nil {
		w = make([]float32, t.size)
		for i := range w {
			w[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	}
	if t.permuteQK > 0 {
		w = RotateHalfRows(w, t.permuteQK, h.Dim/h.Heads, h.Dim)
	}
	return w
}

// RotateHalfRows permutes the rows of a q or k projection ([heads*hs, in],
// row-major) from llama2.c's RoPE layout, where dimensions 2m and 2m+1 of a
// head form a rotated pair, to the rotate-half layout, where m and m+hs/2
// do: within each head, row 2m moves to m and row 2m+1 to m+hs/2. Scores
// q·k are unchanged when both projections are permuted alike.
func RotateHalfRows(w []float32, heads, hs, in int) []float32 {
	out := make([]float32, len(w))
	half := hs / 2
	for h := range heads {
		for m := range half {
			src0, src1 := h*hs+2*m, h*hs+2*m+1
			dst0, dst1 := h*hs+m, h*hs+half+m
			copy(out[dst0*in:(dst0+1)*in], w[src0*in:(src0+1)*in])
			copy(out[dst1*in:(dst1+1)*in], w[src1*in:(src1+1)*in])
		}
	}
	return out
}

// ToInterleaved is the inverse of RotateHalfRows: it permutes the rows of a
// q or k projection from rotate-half order to the adjacent-pair order that
// llama2.c and llama.cpp's llama architecture use (row m of a head moves to
// 2m and row m+hs/2 to 2m+1), as llama.cpp's convert_hf_to_gguf.py permutes
// Hugging Face weights.
func ToInterleaved(w []float32, heads, hs, in int) []float32 {
	out := make([]float32, len(w))
	half := hs / 2
	for h := range heads {
		for m := range half {
			src0, src1 := h*hs+m, h*hs+half+m
			dst0, dst1 := h*hs+2*m, h*hs+2*m+1
			copy(out[dst0*in:(dst0+1)*in], w[src0*in:(src0+1)*in])
			copy(out[dst1*in:(dst1+1)*in], w[src1*in:(src1+1)*in])
		}
	}
	return out
}
