// Package mmapfile maps a file read-only into memory, so that a loader can
// use its bytes in place instead of copying them: a model's weights then
// cost no time to load and no memory beyond the operating system's page
// cache, which several processes share. Where the system has no mmap the
// file is read into memory instead, with the same API.
package mmapfile

import (
	"encoding/binary"
	"fmt"
	"os"
	"unsafe"
)

// File is a file's contents in memory, mapped or read.
type File struct {
	// Data is the whole file. When Mapped it is read-only: writing to it
	// faults.
	Data   []byte
	Mapped bool
	unmap  func() error
}

// Open maps the file at path read-only, or reads it where mapping is not
// possible (an empty file, a system without mmap).
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size != int64(int(size)) {
		return nil, fmt.Errorf("%s: %d bytes do not fit in memory", path, size)
	}
	if size > 0 {
		if data, unmap, err := mapFile(f, int(size)); err == nil {
			return &File{Data: data, Mapped: true, unmap: unmap}, nil
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &File{Data: data}, nil
}

// Close unmaps the file; Data must not be used afterwards. Closing twice is
// harmless.
func (f *File) Close() error {
	if f == nil || f.unmap == nil {
		return nil
	}
	unmap := f.unmap
	f.unmap, f.Data = nil, nil
	return unmap()
}

// Float32s views n little-endian float32 values at byte offset off of data
// in place, if the host is little-endian and off is 4-byte aligned within
// an allocation that starts aligned (a mapping starts on a page); otherwise
// it reports false and the caller converts a copy.
func Float32s(data []byte, off, n int) ([]float32, bool) {
	if n == 0 || !littleEndian || off%4 != 0 || uintptr(unsafe.Pointer(unsafe.SliceData(data)))%4 != 0 {
		return nil, false
	}
	if off < 0 || n < 0 || off+4*n > len(data) {
		return nil, false
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&data[off])), n), true
}

// littleEndian reports whether the host stores numbers little-endian, as
// the weight files plateau maps do.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1
