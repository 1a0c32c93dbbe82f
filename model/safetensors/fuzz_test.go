package safetensors

import (
	"bytes"
	"testing"
)

func FuzzRead(f *testing.F) {
	var valid bytes.Buffer
	err := Write(&valid, []Tensor{
		{Name: "a", Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}},
		{Name: "s", Data: []float32{-1}},
		{Name: "z", Shape: []int{0}},
	}, map[string]string{"k": "v"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid.Bytes())
	for _, n := range []int{0, 4, 8, 9, 20, valid.Len() - 5, valid.Len() - 1} {
		f.Add(valid.Bytes()[:n])
	}
	f.Add(build(`{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]}}`,
		[]byte{0x01, 0x00, 0x00, 0x7e, 0x80, 0x7f}))
	f.Add(build(`{"__metadata__":{"format":"pt"}}`, nil))
	f.Add(build(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}`, make([]byte, 6)))

	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Read(bytes.NewReader(data))
		_, errSized := read(bytes.NewReader(data), int64(len(data)))
		if (err == nil) != (errSized == nil) {
			t.Fatalf("Read and the size-aware reader disagree: %v vs %v", err, errSized)
		}
		if msg := sameAsInPlace(got, err, data); msg != "" {
			t.Fatal(msg)
		}
		if err != nil {
			return
		}
		// Whatever Read accepts, Write must reproduce.
		var buf bytes.Buffer
		if err := Write(&buf, got.Tensors, got.Metadata); err != nil {
			t.Fatalf("Write of tensors Read accepted: %v", err)
		}
		again, err := Read(&buf)
		if err != nil {
			t.Fatalf("Read of Write's output: %v", err)
		}
		if !equalTensors(got.Tensors, again.Tensors) {
			t.Fatal("tensors changed in a Write/Read round trip")
		}
		for _, tt := range got.Tensors {
			if got.Lookup(tt.Name) == nil {
				t.Fatalf("Lookup(%q) = nil", tt.Name)
			}
		}
	})
}
