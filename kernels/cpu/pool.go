// Package cpu holds plateau's pure-Go kernels: the forward and backward of
// every fused op over plain slices, and a cache-blocked GEMM. The functions
// are generic in float32 and float64 so that the finite-difference tests run
// them in float64; the CPU device of package kernels runs them in float32.
package cpu

import (
	"runtime"
	"sync"
)

// Float is the element type the kernels are written for.
type Float interface{ ~float32 | ~float64 }

// Pool splits loops over a fixed number of goroutines. The zero value and a
// nil *Pool run everything on the calling goroutine.
type Pool struct {
	threads int
}

// NewPool returns a pool of the given size; threads <= 0 means GOMAXPROCS.
func NewPool(threads int) *Pool {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	return &Pool{threads: threads}
}

// Threads is the number of goroutines For uses at most (1 for a nil pool).
func (p *Pool) Threads() int {
	if p == nil || p.threads < 1 {
		return 1
	}
	return p.threads
}

// For calls fn over [0, n) cut into at most Threads() contiguous chunks of at
// least grain items each, in parallel, and returns when all are done. fn gets
// the chunk index so it can pick per-thread scratch space.
func (p *Pool) For(n, grain int, fn func(chunk, lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	chunks := p.Threads()
	if c := (n + grain - 1) / grain; c < chunks {
		chunks = c
	}
	if chunks <= 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Add(chunks - 1)
	for c := 1; c < chunks; c++ {
		lo, hi := c*n/chunks, (c+1)*n/chunks
		go func(c, lo, hi int) {
			defer wg.Done()
			fn(c, lo, hi)
		}(c, lo, hi)
	}
	fn(0, 0, n/chunks)
	wg.Wait()
}
