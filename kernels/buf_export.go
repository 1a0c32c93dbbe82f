package kernels

// This file is the part of Buf that Device implementations outside this
// package need: a device hands out handles that name its own allocations,
// and reads them back when a kernel is called. The executor never uses it.

// NewBuf returns the handle to n elements of type dt at element offset off of
// the allocation a device numbers mem (1-based; 0 means no allocation). Only
// a Device implementation calls it, from Alloc.
func NewBuf(mem, off, n int, dt DType) Buf {
	return Buf{mem: mem, Off: off, N: n, DT: dt}
}

// Mem returns the number of the allocation b belongs to, as given to NewBuf:
// the key into the table of the device that made b.
func (b Buf) Mem() int { return b.mem }
