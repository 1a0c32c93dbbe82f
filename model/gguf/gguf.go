// Package gguf writes plateau models as GGUF version 3 files, the format
// llama.cpp and the tools around it run: the "llama" architecture's
// metadata, the byte-level BPE tokenizer, and the parameters under
// llama.cpp's tensor names in float32 or float16.
//
// A GGUF file is a header (magic "GGUF", version, tensor and key counts),
// typed key-value metadata, one info record per tensor (name, dimensions
// fastest first, type, offset into the data section), padding to the
// alignment, then the tensor data, each tensor starting at a multiple of the
// alignment. Everything is little-endian.
//
// llama.cpp's llama architecture applies RoPE to adjacent pairs of each
// head, so, like its convert_hf_to_gguf.py, Write permutes the rows of the
// q and k projections out of Hugging Face's rotate-half order.
package gguf

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/internal/atomicfile"
	"github.com/plateau-lab/plateau/internal/half"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/model/llama2c"
)

// Magic is "GGUF" read as a little-endian uint32.
const Magic = 0x46554747

// Version is the GGUF version written.
const Version = 3

// Alignment is the alignment of the data section and of every tensor in it.
const Alignment = 32

// DType is the element type of the written weight matrices.
type DType int

// Element types: F16 stores matrices in IEEE half precision and keeps the
// norm gains (vectors) in float32, as llama.cpp's converter does.
const (
	F32 DType = iota
	F16
)

// ParseDType reads a -dtype flag value, "f32" or "f16".
func ParseDType(s string) (DType, error) {
	switch s {
	case "f32":
		return F32, nil
	case "f16":
		return F16, nil
	}
	return 0, fmt.Errorf("dtype %q: want f32 or f16", s)
}

// GGML tensor types and GGUF file types of the two element types.
const (
	ggmlF32 = 0
	ggmlF16 = 1

	fileTypeAllF32    = 0
	fileTypeMostlyF16 = 1
)

// Metadata value types.
const (
	typeUint32  = 4
	typeInt32   = 5
	typeFloat32 = 6
	typeString  = 8
	typeArray   = 9
)

// TensorName returns llama.cpp's name for a plateau (Hugging Face)
// parameter name, as convert_hf_to_gguf.py maps it.
func TensorName(hf string) (string, error) {
	var layer int
	var rest string
	if n, _ := fmt.Sscanf(hf, "model.layers.%d.%s", &layer, &rest); n == 2 {
		short, ok := layerTensors[rest]
		if !ok {
			return "", fmt.Errorf("tensor %q has no GGUF name", hf)
		}
		return fmt.Sprintf("blk.%d.%s", layer, short), nil
	}
	short, ok := modelTensors[hf]
	if !ok {
		return "", fmt.Errorf("tensor %q has no GGUF name", hf)
	}
	return short, nil
}

// layerTensors maps the name of a parameter of one block (after
// "model.layers.N.") to llama.cpp's (after "blk.N."); read only.
var layerTensors = map[string]string{
	"input_layernorm.weight":          "attn_norm.weight",
	"self_attn.q_proj.weight":         "attn_q.weight",
	"self_attn.k_proj.weight":         "attn_k.weight",
	"self_attn.v_proj.weight":         "attn_v.weight",
	"self_attn.o_proj.weight":         "attn_output.weight",
	"post_attention_layernorm.weight": "ffn_norm.weight",
	"mlp.gate_proj.weight":            "ffn_gate.weight",
	"mlp.up_proj.weight":              "ffn_up.weight",
	"mlp.down_proj.weight":            "ffn_down.weight",
}

// modelTensors maps the model-level parameter names to llama.cpp's; read only.
var modelTensors = map[string]string{
	"model.embed_tokens.weight": "token_embd.weight",
	"model.norm.weight":         "output_norm.weight",
	"lm_head.weight":            "output.weight",
}

// tensorOut is one tensor as written.
type tensorOut struct {
	name   string
	dims   []uint64 // fastest first: the reverse of the row-major shape
	typ    uint32
	offset uint64
	data   []float32
}

func (t *tensorOut) bytes() uint64 {
	if t.typ == ggmlF16 {
		return 2 * uint64(len(t.data))
	}
	return 4 * uint64(len(t.data))
}

// WriteFile writes the model to path atomically (see Write).
func WriteFile(path string, c model.Config, values [][]float32, tok *data.Tokenizer, dt DType) error {
	err := atomicfile.Write(path, func(w io.Writer) error { return Write(w, c, values, tok, dt) })
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Write writes c and its parameters (ParamSpecs order) as a GGUF file of
// llama architecture, with tok's vocabulary and merges when tok is not nil
// (padded with unused "[PADn]" tokens up to vocab_size).
func Write(w io.Writer, c model.Config, values [][]float32, tok *data.Tokenizer, dt DType) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Family != model.Transformer {
		return fmt.Errorf("gguf: an %v model has no GGUF architecture; only the transformer exports", c.Family)
	}
	specs := c.ParamSpecs()
	if len(values) != len(specs) {
		return fmt.Errorf("gguf: %d tensors for %d parameters", len(values), len(specs))
	}
	hd := c.HeadDim()
	tensors := make([]tensorOut, len(specs))
	var offset uint64
	for i, p := range specs {
		if len(values[i]) != p.Size() {
			return fmt.Errorf("gguf: tensor %s has %d values, want %d", p.Name, len(values[i]), p.Size())
		}
		name, err := TensorName(p.Name)
		if err != nil {
			return err
		}
		t := tensorOut{name: name, typ: ggmlF32, data: values[i]}
		for j := len(p.Shape) - 1; j >= 0; j-- {
			t.dims = append(t.dims, uint64(p.Shape[j]))
		}
		if dt == F16 && len(p.Shape) > 1 {
			t.typ = ggmlF16
		}
		switch {
		case strings.HasSuffix(name, ".attn_q.weight"):
			t.data = llama2c.ToInterleaved(t.data, c.NumAttentionHeads, hd, c.HiddenSize)
		case strings.HasSuffix(name, ".attn_k.weight"):
			t.data = llama2c.ToInterleaved(t.data, c.NumKeyValueHeads, hd, c.HiddenSize)
		}
		t.offset = offset
		offset = align(offset + t.bytes())
		tensors[i] = t
	}
	kv, err := metadata(c, tok, dt)
	if err != nil {
		return err
	}
	bw := &binWriter{w: bufio.NewWriterSize(w, 1<<20)}
	bw.u32(Magic)
	bw.u32(Version)
	bw.u64(uint64(len(tensors)))
	bw.u64(uint64(len(kv)))
	for _, e := range kv {
		bw.str(e.key)
		e.write(bw)
	}
	for _, t := range tensors {
		bw.str(t.name)
		bw.u32(uint32(len(t.dims)))
		for _, d := range t.dims {
			bw.u64(d)
		}
		bw.u32(t.typ)
		bw.u64(t.offset)
	}
	bw.pad()
	for _, t := range tensors {
		start := bw.n
		if t.typ == ggmlF16 {
			for _, v := range t.data {
				bw.u16(half.FromFloat32(v))
			}
		} else {
			for _, v := range t.data {
				bw.u32(math.Float32bits(v))
			}
		}
		if bw.n-start != t.bytes() {
			return fmt.Errorf("gguf: tensor %s: wrote %d bytes, planned %d", t.name, bw.n-start, t.bytes())
		}
		bw.pad()
	}
	if bw.err != nil {
		return fmt.Errorf("gguf: %w", bw.err)
	}
	if err := bw.w.Flush(); err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	return nil
}

// align rounds n up to a multiple of Alignment.
func align(n uint64) uint64 { return (n + Alignment - 1) / Alignment * Alignment }

// binWriter writes little-endian values, counting bytes and keeping the
// first error.
type binWriter struct {
	w   *bufio.Writer
	n   uint64
	err error
	b   [8]byte
}

func (b *binWriter) write(p []byte) {
	if b.err != nil {
		return
	}
	var n int
	n, b.err = b.w.Write(p)
	b.n += uint64(n)
}

func (b *binWriter) u16(v uint16) { binary.LittleEndian.PutUint16(b.b[:], v); b.write(b.b[:2]) }
func (b *binWriter) u32(v uint32) { binary.LittleEndian.PutUint32(b.b[:], v); b.write(b.b[:4]) }
func (b *binWriter) u64(v uint64) { binary.LittleEndian.PutUint64(b.b[:], v); b.write(b.b[:8]) }

// str writes a GGUF string: its byte length as uint64, then the bytes.
func (b *binWriter) str(s string) {
	b.u64(uint64(len(s)))
	b.write([]byte(s))
}

// pad writes zeros up to the next multiple of Alignment.
func (b *binWriter) pad() {
	var zero [Alignment]byte
	b.write(zero[:align(b.n)-b.n])
}
