//go:build openblas

package cpu

import "github.com/plateau-lab/plateau/kernels/cpu/internal/openblas"

// sgemm is the float32 GEMM behind Gemm under the build tag openblas: it
// hands the product to OpenBLAS's cblas_sgemm (through cgo, in package
// internal/openblas). OpenBLAS runs single-threaded; sgemm cuts C into one
// band per thread of p (rows, or columns when C has few rows) and runs the
// bands on p's goroutines, so the GEMMs and the other kernels share one set
// of threads. A call with a nil or one-thread pool (the attention tiles,
// from inside another kernel's parallel loop) is one cblas_sgemm call. It
// has the contract of Gemm.
func sgemm(p *Pool, transA, transB bool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) {
	if m <= 0 || n <= 0 {
		return
	}
	c = c[:m*n]
	if k <= 0 || alpha == 0 {
		// CBLAS rejects a leading dimension of 0, so k == 0 never reaches it.
		scaleInPlace(c, beta)
		return
	}
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	threads := p.Threads()
	if threads == 1 || 2*m*n*k < sgemmParallelFlops {
		openblas.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, n)
		return
	}
	if m >= n || m >= 8*threads {
		p.For(m, 8, func(_, lo, hi int) { // a band of rows of C and of op(A)
			aOff := lo * lda
			if transA {
				aOff = lo
			}
			openblas.Sgemm(transA, transB, hi-lo, n, k, alpha, a[aOff:], lda, b, ldb, beta, c[lo*n:], n)
		})
		return
	}
	p.For(n, 8, func(_, lo, hi int) { // a band of columns of C and of op(B)
		bOff := lo
		if transB {
			bOff = lo * ldb
		}
		openblas.Sgemm(transA, transB, m, hi-lo, k, alpha, a, lda, b[bOff:], ldb, beta, c[lo:], n)
	})
}
