package llama2c

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/plateau-lab/plateau/internal/atomicfile"
	"github.com/plateau-lab/plateau/model"
)

// HeaderFor returns the header of a checkpoint of the given version (0 or
// 1) holding a model of config c. llama2.c hard-codes rms_norm_eps 1e-5 and
// rope_theta 10000, so a config with other values is an error, as is one
// whose fields do not fit the format's int32 header.
func HeaderFor(c model.Config, version int) (Header, error) {
	if version != 0 && version != 1 {
		return Header{}, fmt.Errorf("llama2.c version %d: want 0 (legacy) or 1", version)
	}
	if err := c.Validate(); err != nil {
		return Header{}, err
	}
	if c.RMSNormEps != 1e-5 || c.RopeTheta != 10000 {
		return Header{}, fmt.Errorf("rms_norm_eps %g and rope_theta %g: llama2.c computes with 1e-5 and 10000", c.RMSNormEps, c.RopeTheta)
	}
	h := Header{Version: version, Dim: c.HiddenSize, HiddenDim: c.IntermediateSize, Layers: c.NumHiddenLayers,
		Heads: c.NumAttentionHeads, KVHeads: c.NumKeyValueHeads, VocabSize: c.VocabSize,
		SeqLen: c.MaxPositionEmbeddings, Shared: c.TieWordEmbeddings}
	return h, h.check()
}

// Write writes the model c with values (ParamSpecs order, rotate-half RoPE
// rows) as a llama2.c checkpoint of the given version, the inverse of Read:
// wq and wk are permuted back to llama2.c's adjacent-pair rows, and version
// 0 carries the RoPE tables export.py writes (run.c ignores them).
func Write(w io.Writer, c model.Config, values [][]float32, version int) error {
	h, err := HeaderFor(c, version)
	if err != nil {
		return err
	}
	specs := c.ParamSpecs()
	if len(values) != len(specs) {
		return fmt.Errorf("%d tensors for %d parameters", len(values), len(specs))
	}
	index := map[string]int{}
	for i, p := range specs {
		if len(values[i]) != p.Size() {
			return fmt.Errorf("tensor %s: %d values, want %d", p.Name, len(values[i]), p.Size())
		}
		index[p.Name] = i
	}
	bw := bufio.NewWriter(w)
	if err := h.writeHeader(bw); err != nil {
		return err
	}
	hs := h.Dim / h.Heads
	buf := make([]byte, 0, 64<<10)
	put := func(v []float32) error {
		for len(v) > 0 {
			n := min(len(v), cap(buf)/4)
			buf = buf[:4*n]
			for i, x := range v[:n] {
				binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
			}
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			v = v[n:]
		}
		return nil
	}
	err = h.eachBlock(func(t tensor, name string) error {
		if t.skip {
			return put(ropeTable(h, t.name == "freq_cis_imag"))
		}
		v := values[index[name]]
		if t.permuteQK > 0 {
			v = ToInterleaved(v, t.permuteQK, hs, h.Dim)
		}
		return put(v)
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// WriteFile writes a checkpoint (Write) to path atomically.
func WriteFile(path string, c model.Config, values [][]float32, version int) error {
	if err := atomicfile.Write(path, func(w io.Writer) error { return Write(w, c, values, version) }); err != nil {
		return fmt.Errorf("write llama2.c checkpoint: %w", err)
	}
	return nil
}

// writeHeader writes h's header in its version's layout.
func (h Header) writeHeader(w io.Writer) error {
	vocab := int32(h.VocabSize)
	if h.Version == 0 && !h.Shared {
		vocab = -vocab
	}
	fields := []int32{int32(h.Dim), int32(h.HiddenDim), int32(h.Layers), int32(h.Heads), int32(h.KVHeads), vocab, int32(h.SeqLen)}
	if h.Version == 0 {
		return binary.Write(w, binary.LittleEndian, fields)
	}
	var b [headerV1]byte
	binary.LittleEndian.PutUint32(b[0:], Magic)
	binary.LittleEndian.PutUint32(b[4:], 1)
	for i, f := range fields {
		binary.LittleEndian.PutUint32(b[8+4*i:], uint32(f))
	}
	if h.Shared {
		b[8+7*4] = 1
	}
	_, err := w.Write(b[:])
	return err
}

// ropeTable is version 0's freq_cis_real (or, with imag, freq_cis_imag):
// cos (sin) of position t times theta^(-2m/head_size), [seq_len,
// head_size/2].
func ropeTable(h Header, imag bool) []float32 {
	hs := h.Dim / h.Heads
	out := make([]float32, h.SeqLen*hs/2)
	for t := range h.SeqLen {
		for m := range hs / 2 {
			a := float64(t) / math.Pow(10000, float64(2*m)/float64(hs))
			v := math.Cos(a)
			if imag {
				v = math.Sin(a)
			}
			out[t*hs/2+m] = float32(v)
		}
	}
	return out
}
