package cpu

import (
	"sync"
	"unsafe"
)

// sgemmScratch is one thread's packing space for the float32 GEMM: its
// packed A and B blocks and an edge tile, each starting on a cache line.
type sgemmScratch struct {
	a, b, tile []float32
}

// sgemmScratchPool recycles packing space between calls so that
// steady-state training does not allocate in the GEMM.
var sgemmScratchPool = sync.Pool{New: func() any { return new(sgemmScratch) }}

// getSgemmScratch takes a thread's packing space from the pool; grow sizes it.
func getSgemmScratch() *sgemmScratch {
	return sgemmScratchPool.Get().(*sgemmScratch)
}

// grow makes room for na packed elements of A, nb of B and an edge tile of
// kern.
func (s *sgemmScratch) grow(kern microKernel, na, nb int) {
	s.a = growAligned(s.a, na)
	s.b = growAligned(s.b, nb)
	s.tile = growAligned(s.tile, kern.mr*kern.nr)
}

// sgemmShared is a whole packed operand that the threads of one parallel
// GEMM share.
type sgemmShared struct {
	buf []float32
}

// sgemmSharedPool recycles shared packed operands between calls.
var sgemmSharedPool = sync.Pool{New: func() any { return new(sgemmShared) }}

// getSgemmShared takes a shared buffer of at least n elements from the pool.
func getSgemmShared(n int) *sgemmShared {
	sh := sgemmSharedPool.Get().(*sgemmShared)
	sh.buf = growAligned(sh.buf, n)
	return sh
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
