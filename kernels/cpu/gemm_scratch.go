package cpu

import "unsafe"

// sgemmScratch is one thread's packing space for the float32 GEMM: its
// packed A and B blocks and an edge tile, each starting on a cache line. It
// lives in a chunk's scratch, so it is reused by every GEMM that chunk runs.
type sgemmScratch struct {
	a, b, tile []float32
}

// grow makes room for na packed elements of A, nb of B and an edge tile of
// kern.
func (s *sgemmScratch) grow(kern microKernel, na, nb int) {
	s.a = growAligned(s.a, na)
	s.b = growAligned(s.b, nb)
	s.tile = growAligned(s.tile, kern.mr*kern.nr)
}

// cacheLineFloats is the number of float32 in a 64-byte cache line.
const cacheLineFloats = 16

// growAligned returns s if it holds at least n elements, or else a new slice
// of n elements whose first element starts a cache line, so that vector
// loads from packed panels never straddle two lines.
func growAligned(s []float32, n int) []float32 {
	if len(s) >= n {
		return s
	}
	buf := make([]float32, n+cacheLineFloats)
	skip := int(uintptr(unsafe.Pointer(&buf[0]))/4) % cacheLineFloats
	if skip != 0 {
		skip = cacheLineFloats - skip
	}
	return buf[skip : skip+n]
}
