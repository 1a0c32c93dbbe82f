package mmapfile

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
	"unsafe"
)

// TestOpen maps a file, views float32 values in it in place where aligned,
// reads an empty file, and closes twice.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	raw := make([]byte, 4+4*3)
	for i, v := range []float32{1.5, -2, float32(math.Inf(1))} {
		binary.LittleEndian.PutUint32(raw[4+4*i:], math.Float32bits(v))
	}
	path := filepath.Join(dir, "f.bin")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(f.Data) != string(raw) {
		t.Fatal("mapped bytes differ from the file")
	}
	v, ok := Float32s(f.Data, 4, 3)
	if littleEndian && (!ok || v[0] != 1.5 || v[1] != -2 || !math.IsInf(float64(v[2]), 1) || &f.Data[4] != (*byte)(unsafePointer(&v[0]))) {
		t.Errorf("in-place view: %v, %v", v, ok)
	}
	for _, c := range []struct{ off, n int }{{2, 1}, {4, 4}, {-4, 1}, {0, 0}} {
		if _, ok := Float32s(f.Data, c.off, c.n); ok {
			t.Errorf("Float32s(off %d, n %d) viewed in place", c.off, c.n)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if e, err := Open(empty); err != nil || len(e.Data) != 0 || e.Mapped {
		t.Errorf("empty file: %v, %v", e, err)
	}
	if _, err := Open(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file opened")
	}
}

// unsafePointer returns p's address, to compare with a byte's.
func unsafePointer(p *float32) unsafe.Pointer { return unsafe.Pointer(p) }
