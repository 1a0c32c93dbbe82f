// Package safetensors reads and writes the safetensors tensor file format,
// the format of the model.safetensors file in a Hugging Face model folder.
//
// A safetensors file is an 8-byte little-endian header length N, then N
// bytes of JSON header, then a data buffer. The header maps each tensor name
// to its dtype, shape and the [begin, end) byte range of its data within the
// buffer; an optional "__metadata__" entry holds string key/value pairs. The
// tensors' byte ranges must not overlap and must together cover the buffer
// exactly.
//
// plateau computes in float32, so Read converts F32, F16 and BF16 tensors to
// float32 and rejects every other dtype, and Write always writes F32.
//
// The readers treat their input as untrusted: every header field is checked
// before it is used, a malformed file yields an error that names the tensor
// or field at fault, and memory is only allocated in proportion to input
// that has actually been read (or, for ReadFile, to the file's real size).
package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/plateau-lab/plateau/internal/half"
	"github.com/plateau-lab/plateau/internal/mmapfile"
)

// MaxHeaderSize is the largest JSON header, in bytes, that the readers
// accept. It matches the limit of the reference implementation; a larger
// header length is taken as a sign of a corrupt or hostile file rather than
// read into memory.
const MaxHeaderSize = 100_000_000

// metadataKey is the header entry that holds the file's string metadata
// instead of a tensor.
const metadataKey = "__metadata__"

// chunkSize is the size of the buffer through which tensor data is read and
// written, so that neither direction needs a second copy of a whole tensor.
// It is a multiple of every element size.
const chunkSize = 64 << 10

// maxPrealloc is the number of elements Read allocates up front for a tensor
// when the input's size is unknown. Larger tensors grow as their data
// arrives, so a header that claims a huge tensor cannot make Read allocate
// more than about twice the data the input really holds.
const maxPrealloc = 1 << 20

// Tensor is one named float32 tensor, stored densely in row-major order.
type Tensor struct {
	Name  string
	Shape []int // a nil or empty Shape is a scalar, which holds one element
	Data  []float32
}

// File is the contents of a safetensors file.
type File struct {
	// Tensors are in the order of their data in the file, which for files
	// written by Write is the order they were given in.
	Tensors []Tensor

	// Metadata is the header's "__metadata__" object, or nil if it has none.
	Metadata map[string]string

	index map[string]int // tensor name -> index in Tensors, built by the readers

	mapped *mmapfile.File // the mapping Open's tensors view; nil for Read
}

// Lookup returns the tensor called name, or nil if f has no such tensor.
func (f *File) Lookup(name string) *Tensor {
	if i, ok := f.index[name]; ok && i < len(f.Tensors) && f.Tensors[i].Name == name {
		return &f.Tensors[i]
	}
	// f was built or modified by the caller: fall back to a scan.
	for i := range f.Tensors {
		if f.Tensors[i].Name == name {
			return &f.Tensors[i]
		}
	}
	return nil
}

// Data returns the data of the tensor called name after checking that its
// shape is exactly shape. It exists so that model loaders report a missing
// or misshapen weight with one call and a precise message.
func (f *File) Data(name string, shape ...int) ([]float32, error) {
	t := f.Lookup(name)
	if t == nil {
		return nil, fmt.Errorf("safetensors: no tensor %q", name)
	}
	if !slices.Equal(t.Shape, shape) {
		return nil, fmt.Errorf("safetensors: tensor %q has shape %s, want %s", name, shapeString(t.Shape), shapeString(shape))
	}
	return t.Data, nil
}

// Read reads a safetensors file from r, which must end where the file's data
// buffer ends. F32, F16 and BF16 tensors are converted to float32; any other
// dtype is an error.
func Read(r io.Reader) (*File, error) {
	return read(r, -1)
}

// ReadFile reads the safetensors file called name. Because the file's size
// is known, the header is checked against it before any tensor data is
// read, and each tensor is allocated exactly once.
func ReadFile(name string) (*File, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	f, err := read(fh, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

// read reads a file from r. If size is non-negative it is the total number
// of bytes r holds, and the layout is checked against it before the data is
// read.
func read(r io.Reader, size int64) (*File, error) {
	entries, meta, bufLen, err := readHeader(r, size)
	if err != nil {
		return nil, err
	}
	f := &File{
		Tensors:  make([]Tensor, len(entries)),
		Metadata: meta,
		index:    make(map[string]int, len(entries)),
	}
	chunk := make([]byte, chunkSize)
	for i, e := range entries {
		data, err := readData(r, &e, size >= 0, chunk)
		if err != nil {
			return nil, err
		}
		f.Tensors[i] = Tensor{Name: e.name, Shape: e.shape, Data: data}
		f.index[e.name] = i
	}
	// The tensors must cover the buffer, so the input must end here.
	if n, _ := io.ReadFull(r, chunk[:1]); n != 0 {
		return nil, fmt.Errorf("safetensors: input continues past the end of the data buffer at offset %d", bufLen)
	}
	return f, nil
}

// readHeader reads the header length and the JSON header from r and checks
// them: the tensor entries in data order, the metadata and the data
// buffer's length. If size is non-negative it is the total number of bytes
// r holds, and the layout is checked against it.
func readHeader(r io.Reader, size int64) ([]entry, map[string]string, int64, error) {
	var prefix [8]byte
	if n, err := io.ReadFull(r, prefix[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, 0, fmt.Errorf("safetensors: input is %d bytes, too short for the 8-byte header length", n)
		}
		return nil, nil, 0, fmt.Errorf("safetensors: reading header length: %w", err)
	}
	hlen := binary.LittleEndian.Uint64(prefix[:])
	switch {
	case hlen > MaxHeaderSize:
		return nil, nil, 0, fmt.Errorf("safetensors: header length %d exceeds the limit of %d bytes", hlen, MaxHeaderSize)
	case hlen < 2:
		return nil, nil, 0, fmt.Errorf("safetensors: header length %d is too small for a JSON object", hlen)
	case size >= 0 && hlen > uint64(max(size-8, 0)):
		return nil, nil, 0, fmt.Errorf("safetensors: header length %d exceeds the %d bytes that follow it", hlen, max(size-8, 0))
	}

	// Read the header through a growing buffer rather than allocating hlen
	// bytes up front: hlen is not yet known to be honest.
	var hdr bytes.Buffer
	n, err := io.Copy(&hdr, io.LimitReader(r, int64(hlen)))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("safetensors: reading header: %w", err)
	}
	if uint64(n) < hlen {
		return nil, nil, 0, fmt.Errorf("safetensors: header truncated: header length is %d bytes but the input ends after %d", hlen, n)
	}
	entries, meta, err := parseHeader(hdr.Bytes())
	if err != nil {
		return nil, nil, 0, err
	}
	bufLen, err := checkLayout(entries)
	if err != nil {
		return nil, nil, 0, err
	}
	if size >= 0 {
		if avail := size - 8 - int64(hlen); bufLen != avail {
			return nil, nil, 0, fmt.Errorf("safetensors: tensors cover %d bytes of data but %d bytes follow the header", bufLen, avail)
		}
	}
	return entries, meta, bufLen, nil
}

// readData reads the data of tensor e from r and converts it to float32.
// When exact is false the input's size is unknown, so the result grows as
// data arrives instead of being allocated from the header's claim.
func readData(r io.Reader, e *entry, exact bool, chunk []byte) ([]float32, error) {
	alloc := e.nelem
	if !exact {
		alloc = min(alloc, maxPrealloc)
	}
	data := make([]float32, 0, alloc)
	per := len(chunk) / e.dtype.size
	for len(data) < e.nelem {
		k := min(e.nelem-len(data), per)
		nb := k * e.dtype.size
		if n, err := io.ReadFull(r, chunk[:nb]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				got := int64(len(data)*e.dtype.size + n)
				return nil, fmt.Errorf("safetensors: tensor %q: data truncated: want %d bytes at data offset %d, got %d",
					e.name, e.end-e.begin, e.begin, got)
			}
			return nil, fmt.Errorf("safetensors: tensor %q: reading data: %w", e.name, err)
		}
		if len(data)+k > cap(data) {
			grown := make([]float32, len(data), min(max(2*cap(data), len(data)+k), e.nelem))
			copy(grown, data)
			data = grown
		}
		e.dtype.decode(data[len(data):len(data)+k], chunk[:nb])
		data = data[:len(data)+k]
	}
	return data, nil
}

// dtype describes a stored element type that the readers convert to float32.
type dtype struct {
	name   string
	size   int                             // bytes per element
	decode func(dst []float32, src []byte) // src holds len(dst) elements
}

// lookupDType returns the description of the dtype called name in a header,
// or false if Read does not support it.
func lookupDType(name string) (dtype, bool) {
	switch name {
	case "F32":
		return dtype{name, 4, decodeF32}, true
	case "F16":
		return dtype{name, 2, decodeF16}, true
	case "BF16":
		return dtype{name, 2, decodeBF16}, true
	}
	return dtype{}, false
}

func decodeF32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

func decodeF16(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = half.ToFloat32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

func decodeBF16(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = half.BF16ToFloat32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

// entry is one validated tensor description from a header.
type entry struct {
	name       string
	dtype      dtype
	shape      []int
	nelem      int
	begin, end int64 // byte range in the data buffer
}

// parseHeader decodes and checks a JSON header, returning the tensor entries
// in header order and the metadata.
func parseHeader(hdr []byte) ([]entry, map[string]string, error) {
	if !utf8.Valid(hdr) {
		return nil, nil, errors.New("safetensors: header is not valid UTF-8")
	}
	// Check the syntax of the whole header first, so that a syntax error
	// is reported as such and not as a fault of the entry it falls in.
	if err := json.Unmarshal(hdr, new(json.RawMessage)); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, nil, fmt.Errorf("safetensors: malformed JSON header at byte %d: %w", syn.Offset, err)
		}
		return nil, nil, fmt.Errorf("safetensors: malformed JSON header: %w", err)
	}
	// Walk the top-level object token by token rather than decoding it into
	// a map, to keep duplicate names visible.
	dec := json.NewDecoder(bytes.NewReader(hdr))
	malformed := func(err error) error {
		return fmt.Errorf("safetensors: malformed JSON header: %w", err)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, malformed(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, fmt.Errorf("safetensors: header is a JSON %s, want an object", jsonKind(tok))
	}

	var (
		entries  []entry
		meta     map[string]string
		seen     = make(map[string]bool)
		seenMeta bool
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, malformed(err)
		}
		name, ok := tok.(string)
		if !ok { // cannot happen: the decoder only yields strings as keys
			return nil, nil, fmt.Errorf("safetensors: malformed JSON header: object key is %v", tok)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, malformed(err)
		}
		if name == metadataKey {
			if seenMeta {
				return nil, nil, fmt.Errorf("safetensors: header has more than one %q entry", metadataKey)
			}
			seenMeta = true
			if meta, err = parseMetadata(raw); err != nil {
				return nil, nil, err
			}
			continue
		}
		if seen[name] {
			return nil, nil, fmt.Errorf("safetensors: duplicate tensor name %q in header", name)
		}
		seen[name] = true
		e, err := parseEntry(name, raw)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	// The syntax check above guarantees that only the closing brace and
	// whitespace padding remain.
	return entries, meta, nil
}

// parseMetadata decodes the "__metadata__" entry, which must be an object of
// strings or null.
func parseMetadata(raw json.RawMessage) (map[string]string, error) {
	if raw[0] == 'n' {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, fmt.Errorf("safetensors: %s is %s, want an object of strings", metadataKey, clip(raw))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", metadataKey, err)
	}
	meta := make(map[string]string, len(fields))
	for k, v := range fields {
		if v[0] != '"' {
			return nil, fmt.Errorf("safetensors: %s entry %q is %s, want a string", metadataKey, k, clip(v))
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf("safetensors: %s entry %q: %w", metadataKey, k, err)
		}
		meta[k] = s
	}
	return meta, nil
}

// parseEntry decodes and validates the header entry of tensor name.
func parseEntry(name string, raw json.RawMessage) (entry, error) {
	e := entry{name: name}
	fail := func(format string, args ...any) (entry, error) {
		return entry{}, fmt.Errorf("safetensors: tensor %q: "+format, append([]any{name}, args...)...)
	}
	if raw[0] != '{' {
		return fail("header entry is %s, want an object with dtype, shape and data_offsets", clip(raw))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return fail("%w", err)
	}
	for k := range fields {
		if k != "dtype" && k != "shape" && k != "data_offsets" {
			return fail("unknown header field %q, want only dtype, shape and data_offsets", k)
		}
	}

	rawDType, ok := fields["dtype"]
	if !ok {
		return fail("header entry has no dtype")
	}
	var dtName string
	if rawDType[0] != '"' || json.Unmarshal(rawDType, &dtName) != nil {
		return fail("dtype is %s, want a string", clip(rawDType))
	}
	dt, ok := lookupDType(dtName)
	if !ok {
		return fail("unsupported dtype %q, want F32, F16 or BF16", dtName)
	}
	e.dtype = dt

	rawShape, ok := fields["shape"]
	if !ok {
		return fail("header entry has no shape")
	}
	dims, err := parseInts(rawShape)
	if err != nil {
		return fail("shape%s", err)
	}
	e.shape = make([]int, len(dims))
	zero := false
	for i, d := range dims {
		if d > math.MaxInt {
			return fail("shape[%d] is %d, too large", i, d)
		}
		e.shape[i] = int(d)
		zero = zero || d == 0
	}
	// Count bytes, refusing shapes whose size overflows.
	nbytes := int64(dt.size)
	if zero {
		nbytes = 0
	}
	for _, d := range dims {
		if nbytes != 0 && d > math.MaxInt64/nbytes {
			return fail("shape %s is too large", shapeString(e.shape))
		}
		nbytes *= d
	}
	if nbytes/int64(dt.size) > math.MaxInt {
		return fail("shape %s is too large", shapeString(e.shape))
	}
	e.nelem = int(nbytes / int64(dt.size))

	rawOffsets, ok := fields["data_offsets"]
	if !ok {
		return fail("header entry has no data_offsets")
	}
	off, err := parseInts(rawOffsets)
	if err != nil {
		return fail("data_offsets%s", err)
	}
	if len(off) != 2 {
		return fail("data_offsets has %d elements, want 2 ([begin, end])", len(off))
	}
	e.begin, e.end = off[0], off[1]
	if e.end < e.begin {
		return fail("data_offsets [%d, %d] end before they begin", e.begin, e.end)
	}
	if e.end-e.begin != nbytes {
		return fail("data_offsets [%d, %d] span %d bytes, but shape %s of %s needs %d",
			e.begin, e.end, e.end-e.begin, shapeString(e.shape), dt.name, nbytes)
	}
	return e, nil
}

// parseInts decodes a JSON array of non-negative integers written as plain
// digits. Its errors complete a message that starts with the field's name.
func parseInts(raw json.RawMessage) ([]int64, error) {
	var elems []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
		return nil, fmt.Errorf(" is %s, want an array of non-negative integers", clip(raw))
	}
	v := make([]int64, len(elems))
	for i, r := range elems {
		n, err := strconv.ParseInt(string(r), 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("[%d] is %s, want a non-negative integer", i, clip(r))
		}
		v[i] = n
	}
	return v, nil
}

// clip returns a JSON value for an error message, shortened if long.
func clip(raw json.RawMessage) string {
	const max = 40
	if len(raw) <= max {
		return string(raw)
	}
	s := raw[:max]
	for len(s) > 0 && !utf8.Valid(s) { // don't split a character
		s = s[:len(s)-1]
	}
	return string(s) + "..."
}

// checkLayout sorts entries by their position in the data buffer and checks
// that they tile it with no overlap and no gap. It returns the buffer's
// length.
func checkLayout(entries []entry) (int64, error) {
	slices.SortStableFunc(entries, func(a, b entry) int {
		if a.begin != b.begin {
			return cmp.Compare(a.begin, b.begin)
		}
		return cmp.Compare(a.end, b.end)
	})
	var pos int64
	prev := ""
	for _, e := range entries {
		switch {
		case e.begin < pos:
			return 0, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] overlap tensor %q, which ends at %d",
				e.name, e.begin, e.end, prev, pos)
		case e.begin > pos:
			return 0, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] leave bytes [%d, %d) of the data buffer unused",
				e.name, e.begin, e.end, pos, e.begin)
		}
		pos = e.end
		if e.end > e.begin {
			prev = e.name
		}
	}
	return pos, nil
}

// jsonKind names the kind of JSON value that begins with token tok.
func jsonKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "array"
		}
		return "object"
	case string:
		return "string"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "number"
}

// shapeString formats a shape the way the header writes it, so that a
// scalar prints as [] rather than as a nil slice.
func shapeString(shape []int) string {
	b := []byte{'['}
	for i, d := range shape {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendInt(b, int64(d), 10)
	}
	return string(append(b, ']'))
}
