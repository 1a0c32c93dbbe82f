package llama2c

import (
	"bytes"
	"fmt"

	"github.com/plateau-lab/plateau/internal/mmapfile"
	"github.com/plateau-lab/plateau/model"
)

// Checkpoint is a llama2.c checkpoint opened in place by Open.
type Checkpoint struct {
	Header Header
	Config model.Config // the equivalent Hugging Face config
	// Values are the parameters in ParamSpecs order. All but wq and wk
	// (permuted to rotate-half RoPE, so copied) are views of the mapped
	// file, read-only, valid until Close.
	Values [][]float32
	file   *mmapfile.File
}

// Open memory-maps the llama2.c checkpoint at path and returns its
// parameters in place, as run.c does: loading costs no copy of the
// weights, and they take no memory beyond the page cache. The checks are
// those of Read; where the file cannot be mapped it is read into memory.
// The values equal Read's bit for bit.
func Open(path string) (*Checkpoint, error) {
	f, err := mmapfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("llama2.c checkpoint: %w", err)
	}
	ck, err := fromBytes(f.Data)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("llama2.c checkpoint %s: %w", path, err)
	}
	ck.file = f
	return ck, nil
}

// Close releases the mapped file; the values must not be used afterwards.
func (c *Checkpoint) Close() error {
	c.Values = nil
	return c.file.Close()
}

// fromBytes is Open on the file's contents: the tensors are views of data
// where the host's byte order and the alignment allow.
func fromBytes(data []byte) (*Checkpoint, error) {
	size := int64(len(data))
	h, err := readHeader(bytes.NewReader(data), size)
	if err != nil {
		return nil, err
	}
	c := h.Config()
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	off := int64(7 * 4)
	if h.Version == 1 {
		off = headerV1
	}
	if want := off + 4*h.payloadFloats(); want != size {
		return nil, fmt.Errorf("header says %d layers of dim %d, vocabulary %d (shared classifier: %v): want %d bytes, the file has %d",
			h.Layers, h.Dim, h.VocabSize, h.Shared, want, size)
	}
	index := h.paramIndex()
	values := make([][]float32, len(index))
	h.eachBlock(func(t tensor, name string) error {
		raw := data[off : off+4*int64(t.size)]
		off += 4 * int64(t.size)
		if !t.skip {
			values[index[name]] = h.decode(t, raw, true)
		}
		return nil
	})
	return &Checkpoint{Header: h, Config: c, Values: values}, nil
}
