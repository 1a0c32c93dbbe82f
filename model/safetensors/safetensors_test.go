package safetensors

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// build returns a safetensors file with the given header text and data
// buffer, its length prefix computed from header.
func build(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

// withLength returns a file whose length prefix is n, followed by rest.
func withLength(n uint64, rest string) []byte {
	return append(binary.LittleEndian.AppendUint64(nil, n), rest...)
}

// readBoth reads b with Read, with the size-aware path that ReadFile uses
// and with the in-place path of Open, failing the test if they disagree
// about whether b is valid or, when it is, about a bit of its tensors.
func readBoth(t *testing.T, b []byte) (*File, error, error) {
	t.Helper()
	f, err := Read(bytes.NewReader(b))
	_, errSized := read(bytes.NewReader(b), int64(len(b)))
	if (err == nil) != (errSized == nil) {
		t.Fatalf("Read and the size-aware reader disagree: %v vs %v", err, errSized)
	}
	if msg := sameAsInPlace(f, err, b); msg != "" {
		t.Fatal(msg)
	}
	return f, err, errSized
}

// sameAsInPlace checks the in-place reader on b against Read's result (f,
// err) and says how they differ, or returns "".
func sameAsInPlace(f *File, err error, b []byte) string {
	aligned := make([]uint64, (len(b)+7)/8) // a mapping starts aligned too
	view := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(aligned))), len(b))
	copy(view, b)
	g, errPlace := fromBytes(view)
	switch {
	case (err == nil) != (errPlace == nil):
		return fmt.Sprintf("Read and the in-place reader disagree: %v vs %v", err, errPlace)
	case err == nil && !equalTensors(f.Tensors, g.Tensors):
		return "the in-place reader's tensors differ from Read's"
	}
	return ""
}

// equalTensors reports whether a and b hold the same tensors, comparing
// data bit for bit so that NaNs and signed zeros count.
func equalTensors(a, b []Tensor) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || !slices.Equal(a[i].Shape, b[i].Shape) && len(a[i].Shape)+len(b[i].Shape) != 0 {
			return false
		}
		if len(a[i].Data) != len(b[i].Data) {
			return false
		}
		for j := range a[i].Data {
			if math.Float32bits(a[i].Data[j]) != math.Float32bits(b[i].Data[j]) {
				return false
			}
		}
	}
	return true
}

func TestReadKnownBytes(t *testing.T) {
	// The header lists the tensors out of data order, with metadata last
	// and padding after the object.
	header := `{"c":{"dtype":"F32","shape":[1,2],"data_offsets":[6,14]},` +
		`"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},` +
		`"b":{"dtype":"BF16","shape":[],"data_offsets":[4,6]},` +
		`"empty":{"dtype":"F32","shape":[3,0],"data_offsets":[14,14]},` +
		`"__metadata__":{"format":"pt","note":"hand made"}}   `
	data := []byte{
		0x00, 0x3c, 0x00, 0xc0, // F16 1, -2
		0x49, 0x40, // BF16 3.140625
		0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x80, 0xff, // F32 0.5, -Inf
	}
	f, err, _ := readBoth(t, build(header, data))
	if err != nil {
		t.Fatal(err)
	}
	want := []Tensor{
		{Name: "a", Shape: []int{2}, Data: []float32{1, -2}},
		{Name: "b", Shape: []int{}, Data: []float32{3.140625}},
		{Name: "c", Shape: []int{1, 2}, Data: []float32{0.5, float32(math.Inf(-1))}},
		{Name: "empty", Shape: []int{3, 0}, Data: []float32{}},
	}
	if !equalTensors(f.Tensors, want) {
		t.Errorf("got tensors %+v, want %+v", f.Tensors, want)
	}
	wantMeta := map[string]string{"format": "pt", "note": "hand made"}
	if len(f.Metadata) != len(wantMeta) || f.Metadata["format"] != "pt" || f.Metadata["note"] != "hand made" {
		t.Errorf("got metadata %v, want %v", f.Metadata, wantMeta)
	}
	for _, w := range want {
		if got := f.Lookup(w.Name); got == nil || got.Name != w.Name {
			t.Errorf("Lookup(%q) = %v", w.Name, got)
		}
	}
	if got := f.Lookup("missing"); got != nil {
		t.Errorf("Lookup(missing) = %v, want nil", got)
	}
}

func TestData(t *testing.T) {
	f := &File{Tensors: []Tensor{{Name: "w", Shape: []int{2, 1}, Data: []float32{1, 2}}}}
	tests := []struct {
		name    string
		shape   []int
		wantErr string
	}{
		{"w", []int{2, 1}, ""},
		{"w", []int{1, 2}, `tensor "w" has shape [2, 1], want [1, 2]`},
		{"w", nil, `tensor "w" has shape [2, 1], want []`},
		{"v", []int{2, 1}, `no tensor "v"`},
	}
	for _, tt := range tests {
		data, err := f.Data(tt.name, tt.shape...)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("Data(%q, %v): %v", tt.name, tt.shape, err)
		case tt.wantErr == "" && !slices.Equal(data, []float32{1, 2}):
			t.Errorf("Data(%q, %v) = %v, want [1 2]", tt.name, tt.shape, data)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("Data(%q, %v): got error %v, want one containing %q", tt.name, tt.shape, err, tt.wantErr)
		}
	}
}

func TestReadMalformed(t *testing.T) {
	f32 := func(name, shape, offsets string) string {
		return `"` + name + `":{"dtype":"F32","shape":` + shape + `,"data_offsets":` + offsets + `}`
	}
	eight := make([]byte, 8)
	tests := []struct {
		name  string
		input []byte
		want  string // substring of Read's error
		// wantSized is a substring of the size-aware reader's error, if it
		// differs from want.
		wantSized string
	}{
		{name: "empty input", input: nil, want: "input is 0 bytes, too short for the 8-byte header length"},
		{name: "short length", input: []byte{1, 0, 0}, want: "input is 3 bytes"},
		{name: "absurd header length", input: withLength(1<<40, "{}"), want: "header length 1099511627776 exceeds the limit"},
		{name: "header length just over limit", input: withLength(MaxHeaderSize+1, "{}"), want: "exceeds the limit of 100000000 bytes"},
		{name: "zero header length", input: withLength(0, ""), want: "header length 0 is too small"},
		{name: "header longer than input", input: withLength(1000, "{}"),
			want: "header truncated: header length is 1000 bytes but the input ends after 2", wantSized: "header length 1000 exceeds the 2 bytes that follow it"},
		{name: "malformed JSON", input: build(`{"a":`, nil), want: "malformed JSON header"},
		{name: "bad token", input: build(`{"a":{"dtype":F32}}`, nil), want: "malformed JSON header at byte 15: invalid character 'F'"},
		{name: "unterminated object", input: build(`{"a":{}`, nil), want: "malformed JSON header"},
		{name: "header is an array", input: build(`[1, 2]`, nil), want: "header is a JSON array, want an object"},
		{name: "header is a string", input: build(`"abc"`, nil), want: "header is a JSON string, want an object"},
		{name: "trailing garbage", input: build(`{}  x`, nil), want: `malformed JSON header at byte 5: invalid character 'x' after top-level value`},
		{name: "second object", input: build(`{}{}`, nil), want: `malformed JSON header at byte 3: invalid character '{' after top-level value`},
		{name: "invalid UTF-8", input: build("{\"\xff\":{}}", nil), want: "header is not valid UTF-8"},
		{name: "unsupported dtype", input: build(`{"w":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}`, eight[:4]),
			want: `tensor "w": unsupported dtype "I32", want F32, F16 or BF16`},
		{name: "F64 unsupported", input: build(`{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`, eight),
			want: `tensor "w": unsupported dtype "F64"`},
		{name: "missing dtype", input: build(`{"w":{"shape":[1],"data_offsets":[0,4]}}`, eight[:4]), want: `tensor "w": header entry has no dtype`},
		{name: "missing shape", input: build(`{"w":{"dtype":"F32","data_offsets":[0,4]}}`, eight[:4]), want: `tensor "w": header entry has no shape`},
		{name: "null shape", input: build(`{"w":{"dtype":"F32","shape":null,"data_offsets":[0,4]}}`, eight[:4]), want: `tensor "w": shape is null, want an array of non-negative integers`},
		{name: "missing offsets", input: build(`{"w":{"dtype":"F32","shape":[1]}}`, eight[:4]), want: `tensor "w": header entry has no data_offsets`},
		{name: "entry is a number", input: build(`{"w":5}`, nil), want: `tensor "w": header entry is 5, want an object with dtype, shape and data_offsets`},
		{name: "entry is null", input: build(`{"w":null}`, nil), want: `tensor "w": header entry is null, want an object`},
		{name: "unknown field", input: build(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"offset":0}}`, eight[:4]),
			want: `tensor "w": unknown header field "offset", want only dtype, shape and data_offsets`},
		{name: "shape not an array", input: build(`{"w":{"dtype":"F32","shape":1,"data_offsets":[0,4]}}`, eight[:4]), want: `tensor "w": shape is 1, want an array of non-negative integers`},
		{name: "dtype not a string", input: build(`{"w":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}`, eight[:4]), want: `tensor "w": dtype is 32, want a string`},
		{name: "offsets not an array", input: build(`{"w":{"dtype":"F32","shape":[1],"data_offsets":{"begin":0}}}`, eight[:4]),
			want: `tensor "w": data_offsets is {"begin":0}, want an array of non-negative integers`},
		{name: "long value clipped", input: build(`{"w":{"dtype":"F32","shape":"`+strings.Repeat("x", 1000)+`","data_offsets":[0,4]}}`, eight[:4]),
			want: `tensor "w": shape is "` + strings.Repeat("x", 39) + `..., want an array`},
		{name: "negative shape", input: build(`{`+f32("w", "[2,-1]", "[0,4]")+`}`, eight[:4]), want: `tensor "w": shape[1] is -1, want a non-negative integer`},
		{name: "fractional shape", input: build(`{`+f32("w", "[1.5]", "[0,4]")+`}`, eight[:4]), want: `tensor "w": shape[0] is 1.5, want a non-negative integer`},
		{name: "exponent shape", input: build(`{`+f32("w", "[1e0]", "[0,4]")+`}`, eight[:4]), want: `tensor "w": shape[0] is 1e0`},
		{name: "quoted shape", input: build(`{`+f32("w", `["1"]`, "[0,4]")+`}`, eight[:4]), want: `tensor "w": shape[0] is "1"`},
		{name: "boolean shape", input: build(`{`+f32("w", `[true]`, "[0,4]")+`}`, eight[:4]), want: `tensor "w": shape[0] is true`},
		{name: "huge shape", input: build(`{`+f32("w", "[99999999999999999999]", "[0,4]")+`}`, eight[:4]), want: `tensor "w": shape[0] is 99999999999999999999`},
		{name: "overflowing shape", input: build(`{`+f32("w", "[2000000000,2000000000,2000000000]", "[0,4]")+`}`, eight[:4]),
			want: `tensor "w": shape [2000000000, 2000000000, 2000000000] is too large`},
		{name: "one offset", input: build(`{`+f32("w", "[1]", "[4]")+`}`, eight[:4]), want: `tensor "w": data_offsets has 1 elements, want 2`},
		{name: "three offsets", input: build(`{`+f32("w", "[1]", "[0,4,8]")+`}`, eight[:4]), want: `tensor "w": data_offsets has 3 elements, want 2`},
		{name: "negative offset", input: build(`{`+f32("w", "[1]", "[-4,0]")+`}`, eight[:4]), want: `tensor "w": data_offsets[0] is -4, want a non-negative integer`},
		{name: "fractional offset", input: build(`{`+f32("w", "[1]", "[0,4.0]")+`}`, eight[:4]), want: `tensor "w": data_offsets[1] is 4.0`},
		{name: "reversed offsets", input: build(`{`+f32("w", "[0]", "[4,0]")+`}`, eight[:4]), want: `tensor "w": data_offsets [4, 0] end before they begin`},
		{name: "size mismatch", input: build(`{`+f32("w", "[2]", "[0,4]")+`}`, eight[:4]),
			want: `tensor "w": data_offsets [0, 4] span 4 bytes, but shape [2] of F32 needs 8`},
		{name: "F16 size mismatch", input: build(`{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,4]}}`, eight[:4]),
			want: `tensor "h": data_offsets [0, 4] span 4 bytes, but shape [3] of F16 needs 6`},
		{name: "overlap", input: build(`{`+f32("a", "[2]", "[0,8]")+`,`+f32("b", "[2]", "[4,12]")+`}`, make([]byte, 12)),
			want: `tensor "b": data_offsets [4, 12] overlap tensor "a", which ends at 8`},
		{name: "same range", input: build(`{`+f32("a", "[1]", "[0,4]")+`,`+f32("b", "[1]", "[0,4]")+`}`, eight[:4]),
			want: `tensor "b": data_offsets [0, 4] overlap tensor "a"`},
		{name: "gap", input: build(`{`+f32("a", "[1]", "[0,4]")+`,`+f32("b", "[1]", "[8,12]")+`}`, make([]byte, 12)),
			want: `tensor "b": data_offsets [8, 12] leave bytes [4, 8) of the data buffer unused`},
		{name: "not starting at zero", input: build(`{`+f32("a", "[1]", "[4,8]")+`}`, eight),
			want: `tensor "a": data_offsets [4, 8] leave bytes [0, 4) of the data buffer unused`},
		{name: "duplicate name", input: build(`{`+f32("a", "[1]", "[0,4]")+`,`+f32("a", "[1]", "[4,8]")+`}`, eight),
			want: `duplicate tensor name "a"`},
		{name: "duplicate metadata", input: build(`{"__metadata__":{},"__metadata__":{}}`, nil), want: `more than one "__metadata__" entry`},
		{name: "metadata number value", input: build(`{"__metadata__":{"epoch":3}}`, nil), want: `__metadata__ entry "epoch" is 3, want a string`},
		{name: "metadata array", input: build(`{"__metadata__":["pt"]}`, nil), want: `__metadata__ is ["pt"], want an object of strings`},
		{name: "truncated data", input: build(`{`+f32("a", "[1]", "[0,4]")+`,`+f32("b", "[2]", "[4,12]")+`}`, make([]byte, 9)),
			want:      `tensor "b": data truncated: want 8 bytes at data offset 4, got 5`,
			wantSized: `tensors cover 12 bytes of data but 9 bytes follow the header`},
		{name: "no data", input: build(`{`+f32("a", "[1]", "[0,4]")+`}`, nil),
			want:      `tensor "a": data truncated: want 4 bytes at data offset 0, got 0`,
			wantSized: `tensors cover 4 bytes of data but 0 bytes follow the header`},
		{name: "trailing data", input: build(`{`+f32("a", "[1]", "[0,4]")+`}`, make([]byte, 5)),
			want:      `input continues past the end of the data buffer at offset 4`,
			wantSized: `tensors cover 4 bytes of data but 5 bytes follow the header`},
		{name: "huge tensor claimed, little data", input: build(`{`+f32("big", "[1000000000]", "[0,4000000000]")+`}`, eight),
			want:      `tensor "big": data truncated: want 4000000000 bytes at data offset 0, got 8`,
			wantSized: `tensors cover 4000000000 bytes of data but 8 bytes follow the header`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err, errSized := readBoth(t, tt.input)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Read: got error %v, want one containing %q", err, tt.want)
			}
			wantSized := cmp.Or(tt.wantSized, tt.want)
			if errSized == nil || !strings.Contains(errSized.Error(), wantSized) {
				t.Errorf("size-aware read: got error %v, want one containing %q", errSized, wantSized)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "safetensors: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestReadBoundedAllocation checks that a header claiming more data than
// the input holds does not make Read allocate in proportion to the claim.
func TestReadBoundedAllocation(t *testing.T) {
	hdr := `{"a":{"dtype":"F32","shape":[250000000],"data_offsets":[0,1000000000]},` +
		`"b":{"dtype":"F32","shape":[250000000],"data_offsets":[1000000000,2000000000]}}`
	input := build(hdr, make([]byte, 1<<20))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Read(bytes.NewReader(input))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "data truncated") {
		t.Fatalf("Read: got error %v, want data truncated", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("Read allocated %d bytes for a 1 MiB input", alloc)
	}
}

// TestReadGrowth reads, through a reader of unknown size, a tensor larger
// than the up-front allocation, so that it must grow as data arrives.
func TestReadGrowth(t *testing.T) {
	n := 3*maxPrealloc + 12345
	data := make([]float32, n)
	for i := range data {
		data[i] = float32(i)
	}
	var buf bytes.Buffer
	want := []Tensor{{Name: "big", Shape: []int{n}, Data: data}, {Name: "tail", Shape: []int{1}, Data: []float32{-1}}}
	if err := Write(&buf, want, nil); err != nil {
		t.Fatal(err)
	}
	// Hide bytes.Reader's methods so that nothing can learn the size.
	f, err := Read(struct{ *bytes.Buffer }{&buf})
	if err != nil {
		t.Fatal(err)
	}
	if !equalTensors(f.Tensors, want) {
		t.Error("tensors differ after round trip")
	}
}

func TestRoundTrip(t *testing.T) {
	nan := math.Float32frombits(0x7fc00001)
	tests := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
	}{
		{name: "no tensors"},
		{name: "scalar", tensors: []Tensor{{Name: "s", Data: []float32{42}}}},
		{name: "empty shape", tensors: []Tensor{{Name: "s", Shape: []int{}, Data: []float32{42}}}},
		{name: "zero size", tensors: []Tensor{
			{Name: "z1", Shape: []int{0, 5}, Data: nil},
			{Name: "x", Shape: []int{2}, Data: []float32{1, 2}},
			{Name: "z2", Shape: []int{3, 0}, Data: []float32{}},
		}},
		{name: "special values", tensors: []Tensor{{Name: "v", Shape: []int{2, 4}, Data: []float32{
			0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
			nan, math.SmallestNonzeroFloat32, math.MaxFloat32, -1.5,
		}}}},
		{name: "given order kept", tensors: []Tensor{
			{Name: "z", Shape: []int{1}, Data: []float32{1}},
			{Name: "a", Shape: []int{1}, Data: []float32{2}},
			{Name: "m", Shape: []int{1, 1, 1}, Data: []float32{3}},
		}},
		{name: "odd names", tensors: []Tensor{
			{Name: `quote " backslash \ slash /`, Shape: []int{1}, Data: []float32{1}},
			{Name: "tab\tnewline\ncontrol\x01", Shape: []int{1}, Data: []float32{2}},
			{Name: "ünïcödé ✓ <&>", Shape: []int{1}, Data: []float32{3}},
			{Name: "", Shape: []int{1}, Data: []float32{4}},
		}},
		{name: "metadata", meta: map[string]string{"step": "100", "note": "line\nbreak \"q\""},
			tensors: []Tensor{{Name: "w", Shape: []int{1}, Data: []float32{1}}}},
		{name: "format overridden", meta: map[string]string{"format": "mlx"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.tensors, tt.meta); err != nil {
				t.Fatal(err)
			}
			if hlen := binary.LittleEndian.Uint64(buf.Bytes()); hlen%8 != 0 {
				t.Errorf("header length %d is not a multiple of 8", hlen)
			}
			f, err, _ := readBoth(t, buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if !equalTensors(f.Tensors, tt.tensors) {
				t.Errorf("got %+v, want %+v", f.Tensors, tt.tensors)
			}
			wantMeta := map[string]string{"format": "pt"}
			for k, v := range tt.meta {
				wantMeta[k] = v
			}
			if len(f.Metadata) != len(wantMeta) {
				t.Errorf("got metadata %q, want %q", f.Metadata, wantMeta)
			}
			for k, v := range wantMeta {
				if f.Metadata[k] != v {
					t.Errorf("metadata[%q] = %q, want %q", k, f.Metadata[k], v)
				}
			}
		})
	}
}

func TestWriteKnownBytes(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, []Tensor{{Name: "w", Shape: []int{2}, Data: []float32{1, -0.5}}}, map[string]string{"a": "b"})
	if err != nil {
		t.Fatal(err)
	}
	header := `{"__metadata__":{"a":"b","format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	header += strings.Repeat(" ", (8-len(header)%8)%8)
	want := build(header, []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xbf})
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("Write produced\n%q\nwant\n%q", buf.Bytes(), want)
	}
}

func TestWriteInvalid(t *testing.T) {
	tests := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    string
	}{
		{name: "duplicate", tensors: []Tensor{{Name: "a", Data: []float32{1}}, {Name: "a", Data: []float32{2}}},
			want: `duplicate tensor name "a"`},
		{name: "reserved name", tensors: []Tensor{{Name: "__metadata__", Data: []float32{1}}},
			want: `tensor name "__metadata__" is reserved`},
		{name: "too little data", tensors: []Tensor{{Name: "w", Shape: []int{2, 3}, Data: make([]float32, 5)}},
			want: `tensor "w": shape [2, 3] holds 6 elements but Data has 5`},
		{name: "scalar without data", tensors: []Tensor{{Name: "s"}},
			want: `tensor "s": shape [] holds 1 elements but Data has 0`},
		{name: "negative dimension", tensors: []Tensor{{Name: "w", Shape: []int{2, -3}, Data: make([]float32, 6)}},
			want: `tensor "w": shape[1] is -3, want a non-negative integer`},
		{name: "overflowing shape", tensors: []Tensor{{Name: "w", Shape: []int{math.MaxInt, math.MaxInt}}},
			want: fmt.Sprintf(`tensor "w": shape [%d, %d] is too large`, math.MaxInt, math.MaxInt)},
		{name: "invalid UTF-8 name", tensors: []Tensor{{Name: "w\xff", Data: []float32{1}}},
			want: `tensor name "w\xff" is not valid UTF-8`},
		{name: "invalid UTF-8 metadata", meta: map[string]string{"k": "\xfe"},
			want: `metadata entry "k": "\xfe" is not valid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, tt.tensors, tt.meta)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("Write wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	tensors := []Tensor{
		{Name: "first", Shape: []int{10}, Data: make([]float32, 10)},
		{Name: "second", Shape: []int{100000}, Data: make([]float32, 100000)},
	}
	tests := []struct {
		limit int
		want  string
	}{
		{0, "writing header"},
		{20, "writing header"},
		{200, `writing tensor "first"`},
		{300000, `writing tensor "second"`},
	}
	for _, tt := range tests {
		err := Write(&failingWriter{n: tt.limit}, tensors, nil)
		if !errors.Is(err, errDiskFull) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("writer failing after %d bytes: got %v, want an error containing %q wrapping %v", tt.limit, err, tt.want, errDiskFull)
		}
	}
}

func TestWriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	want := []Tensor{{Name: "w", Shape: []int{1, 2}, Data: []float32{3, 4}}}
	if err := WriteFile(path, want, nil); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !equalTensors(f.Tensors, want) {
		t.Errorf("got %+v, want %+v", f.Tensors, want)
	}
	if _, err := ReadFile(path + ".missing"); err == nil {
		t.Error("ReadFile of a missing file succeeded")
	}
	if err := os.WriteFile(path, []byte("garbage"), 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadFile of a corrupt file: got %v, want an error naming %s", err, path)
	}
}

// TestOpen checks that Open maps a file, that its aligned F32 tensors are
// views of the mapping and the others copies, bit for bit equal to
// ReadFile's, and that it reports bad files with their name.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	want := []Tensor{
		{Name: "a", Shape: []int{2, 3}, Data: []float32{1, -2, 3, float32(math.Inf(1)), 0, 6}},
		{Name: "b", Shape: []int{1}, Data: []float32{float32(math.NaN())}},
	}
	path := filepath.Join(dir, "model.safetensors")
	if err := WriteFile(path, want, nil); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"plateau": path, "pytorch": "testdata/tiny-llama.safetensors"}
	// A header of 54 bytes puts the data at offset 62: F32 is unaligned.
	unaligned := filepath.Join(dir, "unaligned.safetensors")
	if err := os.WriteFile(unaligned, build(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`,
		[]byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40}), 0o666); err != nil {
		t.Fatal(err)
	}
	files["unaligned"] = unaligned
	half := filepath.Join(dir, "half.safetensors")
	if err := os.WriteFile(half, build(`{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]}}  `,
		[]byte{0x01, 0x00, 0x00, 0x7e, 0x80, 0x7f}), 0o666); err != nil {
		t.Fatal(err)
	}
	files["half"] = half
	for name, p := range files {
		t.Run(name, func(t *testing.T) {
			ref, err := ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if !equalTensors(f.Tensors, ref.Tensors) {
				t.Fatal("Open's tensors differ from ReadFile's")
			}
			if f.Lookup(ref.Tensors[0].Name) == nil {
				t.Fatal("Lookup fails on an opened file")
			}
			if !f.mapped.Mapped {
				return // no mmap here: nothing is in place
			}
			lo := uintptr(unsafe.Pointer(unsafe.SliceData(f.mapped.Data)))
			hi := lo + uintptr(len(f.mapped.Data))
			hlen := binary.LittleEndian.Uint64(f.mapped.Data)
			for _, tt := range f.Tensors {
				if len(tt.Data) == 0 {
					continue
				}
				at := uintptr(unsafe.Pointer(&tt.Data[0]))
				inMap := at >= lo && at < hi
				entry := f.mapped.Data[8 : 8+hlen]
				isF32 := bytes.Contains(entry, []byte(`"`+tt.Name+`":{"dtype":"F32"`))
				wantIn := isF32 && (8+hlen)%4 == 0
				if inMap != wantIn {
					t.Errorf("tensor %s: in the mapping %v, want %v", tt.Name, inMap, wantIn)
				}
			}
		})
	}
	if err := f0Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("garbage"), 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Open of a corrupt file: got %v, want an error naming %s", err, path)
	}
	if _, err := Open(path + ".missing"); err == nil {
		t.Error("Open of a missing file succeeded")
	}
}

// f0Close checks that Close is harmless on files that Read made and on nil.
func f0Close() error {
	var nilFile *File
	if err := nilFile.Close(); err != nil {
		return err
	}
	f, err := Read(bytes.NewReader(build(`{}`, nil)))
	if err != nil {
		return err
	}
	return f.Close()
}

// TestReadPyTorchFile reads a file written by the Python safetensors
// library for a tiny Llama model; the expected values were decoded
// independently of this package.
func TestReadPyTorchFile(t *testing.T) {
	const path = "testdata/tiny-llama.safetensors"
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if g, err := Read(bytes.NewReader(raw)); err != nil || !equalTensors(g.Tensors, f.Tensors) {
		t.Fatalf("Read and ReadFile disagree (Read error %v)", err)
	}
	if len(f.Tensors) != 20 || f.Metadata != nil {
		t.Errorf("got %d tensors and metadata %v, want 20 tensors and no metadata", len(f.Tensors), f.Metadata)
	}
	tests := []struct {
		name  string
		shape []int
		bits  [3]uint32 // first, second and last element
	}{
		{"model.embed_tokens.weight", []int{64, 32}, [3]uint32{3208857274, 3200257841, 1034923730}},
		{"model.norm.weight", []int{32}, [3]uint32{1064887792, 1065351945, 1064703088}},
		{"model.layers.1.self_attn.v_proj.weight", []int{32, 32}, [3]uint32{1038785287, 3183333646, 3142353705}},
		{"model.layers.0.mlp.down_proj.weight", []int{32, 96}, [3]uint32{}},
	}
	for _, tt := range tests {
		d, err := f.Data(tt.name, tt.shape...)
		if err != nil {
			t.Error(err)
			continue
		}
		if tt.bits == [3]uint32{} {
			continue
		}
		got := [3]uint32{math.Float32bits(d[0]), math.Float32bits(d[1]), math.Float32bits(d[len(d)-1])}
		if got != tt.bits {
			t.Errorf("%s: got element bits %v, want %v", tt.name, got, tt.bits)
		}
	}

	// Writing the tensors back must reproduce the data buffer exactly;
	// only the header differs, by the added "__metadata__".
	var buf bytes.Buffer
	if err := Write(&buf, f.Tensors, nil); err != nil {
		t.Fatal(err)
	}
	hlen := binary.LittleEndian.Uint64(buf.Bytes())
	sum := sha256.Sum256(buf.Bytes()[8+hlen:])
	if got, want := hex.EncodeToString(sum[:]), "37eb5b1549239878d66008914d0ec9a4ccc67a6ea4e032180ed372e9e2236aba"; got != want {
		t.Errorf("data buffer written back has SHA-256 %s, want %s", got, want)
	}
}

func TestReadValidVariants(t *testing.T) {
	four := []byte{0, 0, 0x80, 0x3f}
	tests := []struct {
		name     string
		input    []byte
		tensors  int
		wantMeta bool
	}{
		{name: "empty object", input: build(`{}`, nil)},
		{name: "null metadata", input: build(`{"__metadata__":null}`, nil)},
		{name: "empty metadata", input: build(`{"__metadata__":{}}`, nil), wantMeta: true},
		{name: "whitespace around", input: build(" \n{ \"w\" : {\"data_offsets\":[0,4], \"shape\":[1], \"dtype\":\"F32\"} }\t\r\n   ", four), tensors: 1},
		{name: "no padding", input: build(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, four), tensors: 1},
		{name: "escaped name", input: build(`{"\u0077\n":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, four), tensors: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err, _ := readBoth(t, tt.input)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Tensors) != tt.tensors || (f.Metadata != nil) != tt.wantMeta {
				t.Errorf("got %d tensors and metadata %v, want %d tensors and metadata=%v", len(f.Tensors), f.Metadata, tt.tensors, tt.wantMeta)
			}
			for _, x := range f.Tensors {
				if len(x.Data) != 1 || x.Data[0] != 1 {
					t.Errorf("tensor %q holds %v, want [1]", x.Name, x.Data)
				}
			}
		})
	}
}
