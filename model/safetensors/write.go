package safetensors

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/plateau-lab/plateau/internal/atomicfile"
)

// Write writes tensors to w as a safetensors file of F32 tensors, with data
// and header entries in the given order. The header's "__metadata__" holds
// metadata plus "format": "pt" unless metadata sets "format" itself: Hugging
// Face transformers refuses a file without a format it knows.
//
// Write checks every tensor before writing anything: names must be unique
// and not "__metadata__", and each tensor's Data must hold exactly the
// number of elements its Shape implies. The header is padded with spaces to
// a multiple of 8 bytes so that every tensor's data is 4-byte aligned.
//
// Write streams the data through a small buffer; w need not be buffered.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	hdr, err := encodeHeader(tensors, metadata)
	if err != nil {
		return err
	}
	var prefix [8]byte
	binary.LittleEndian.PutUint64(prefix[:], uint64(len(hdr)))
	if _, err := w.Write(prefix[:]); err != nil {
		return fmt.Errorf("safetensors: writing header: %w", err)
	}
	if _, err := w.Write(hdr); err != nil {
		return fmt.Errorf("safetensors: writing header: %w", err)
	}
	chunk := make([]byte, chunkSize)
	for _, t := range tensors {
		for data := t.Data; len(data) > 0; {
			k := min(len(data), len(chunk)/4)
			for i, v := range data[:k] {
				binary.LittleEndian.PutUint32(chunk[4*i:], math.Float32bits(v))
			}
			if _, err := w.Write(chunk[:4*k]); err != nil {
				return fmt.Errorf("safetensors: writing tensor %q: %w", t.Name, err)
			}
			data = data[k:]
		}
	}
	return nil
}

// WriteFile writes tensors to the file called name as Write does. The file
// is replaced atomically: after a crash name holds either its old contents
// or the complete new file, never a partial one.
func WriteFile(name string, tensors []Tensor, metadata map[string]string) error {
	return atomicfile.Write(name, func(w io.Writer) error {
		return Write(w, tensors, metadata)
	})
}

// encodeHeader checks tensors and returns the padded JSON header describing
// them as F32 tensors laid out back to back.
func encodeHeader(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	meta := map[string]string{"format": "pt"}
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, fmt.Errorf("safetensors: metadata entry %q: %q is not valid UTF-8", k, v)
		}
		meta[k] = v
	}
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	b := []byte{'{'}
	b = appendString(b, metadataKey)
	b = append(b, ":{"...)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, meta[k])
	}
	b = append(b, '}')

	seen := make(map[string]bool, len(tensors))
	var off int64
	for _, t := range tensors {
		if t.Name == metadataKey {
			return nil, fmt.Errorf("safetensors: tensor name %q is reserved for metadata", t.Name)
		}
		if !utf8.ValidString(t.Name) {
			return nil, fmt.Errorf("safetensors: tensor name %q is not valid UTF-8", t.Name)
		}
		if seen[t.Name] {
			return nil, fmt.Errorf("safetensors: duplicate tensor name %q", t.Name)
		}
		seen[t.Name] = true
		n, err := numElements(t.Shape)
		if err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: %w", t.Name, err)
		}
		if n != int64(len(t.Data)) {
			return nil, fmt.Errorf("safetensors: tensor %q: shape %s holds %d elements but Data has %d",
				t.Name, shapeString(t.Shape), n, len(t.Data))
		}
		b = append(b, ',')
		b = appendString(b, t.Name)
		b = append(b, `:{"dtype":"F32","shape":`...)
		b = append(b, shapeJSON(t.Shape)...)
		b = append(b, `,"data_offsets":[`...)
		b = strconv.AppendInt(b, off, 10)
		off += 4 * n
		b = append(b, ',')
		b = strconv.AppendInt(b, off, 10)
		b = append(b, "]}"...)
	}
	b = append(b, '}')
	for len(b)%8 != 0 {
		b = append(b, ' ')
	}
	if len(b) > MaxHeaderSize {
		return nil, fmt.Errorf("safetensors: header of %d bytes exceeds the limit of %d", len(b), MaxHeaderSize)
	}
	return b, nil
}

// numElements returns the number of elements a tensor of the given shape
// holds, rejecting negative dimensions and sizes beyond what a slice can
// hold.
func numElements(shape []int) (int64, error) {
	n := int64(1)
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("shape[%d] is %d, want a non-negative integer", i, d)
		}
	}
	if slices.Contains(shape, 0) {
		return 0, nil
	}
	for _, d := range shape {
		if int64(d) > math.MaxInt64/4/n {
			return 0, fmt.Errorf("shape %s is too large", shapeString(shape))
		}
		n *= int64(d)
	}
	return n, nil
}

// shapeJSON returns shape as a JSON array; a nil shape is [], not null.
func shapeJSON(shape []int) string {
	b := []byte{'['}
	for i, d := range shape {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(d), 10)
	}
	return string(append(b, ']'))
}

// appendString appends s, which must be valid UTF-8, to b as a JSON string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
