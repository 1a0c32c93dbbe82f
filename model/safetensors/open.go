package safetensors

import (
	"bytes"
	"fmt"

	"github.com/plateau-lab/plateau/internal/mmapfile"
)

// Open memory-maps the safetensors file called name and returns its tensors
// in place: an F32 tensor whose data is 4-byte aligned in the file (as
// Write and the Hugging Face writers lay it out) is a read-only view of the
// mapping, so it costs no time to load and no memory beyond the page
// cache; F16 and BF16 tensors, and unaligned F32 ones, are converted into
// memory of their own. The header is checked as by ReadFile, and the
// values equal ReadFile's bit for bit. The views are valid until Close.
func Open(name string) (*File, error) {
	m, err := mmapfile.Open(name)
	if err != nil {
		return nil, err
	}
	f, err := fromBytes(m.Data)
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f.mapped = m
	return f, nil
}

// Close releases the mapping of a File from Open: its tensors' data must
// not be used afterwards. It does nothing for a File from Read or ReadFile.
func (f *File) Close() error {
	if f == nil || f.mapped == nil {
		return nil
	}
	err := f.mapped.Close()
	f.mapped, f.Tensors = nil, nil
	return err
}

// fromBytes parses a whole safetensors file held in data, viewing F32
// tensors in place where the alignment allows.
func fromBytes(data []byte) (*File, error) {
	size := int64(len(data))
	r := bytes.NewReader(data)
	entries, meta, _, err := readHeader(r, size)
	if err != nil {
		return nil, err
	}
	start := size - int64(r.Len()) // the data buffer's offset in data
	f := &File{
		Tensors:  make([]Tensor, len(entries)),
		Metadata: meta,
		index:    make(map[string]int, len(entries)),
	}
	for i, e := range entries {
		raw := data[start+e.begin : start+e.end]
		var values []float32
		if e.dtype.name == "F32" {
			values, _ = mmapfile.Float32s(raw, 0, e.nelem)
		}
		if values == nil {
			values = make([]float32, e.nelem)
			e.dtype.decode(values, raw)
		}
		f.Tensors[i] = Tensor{Name: e.name, Shape: e.shape, Data: values}
		f.index[e.name] = i
	}
	return f, nil
}
