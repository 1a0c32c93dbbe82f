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
	if p.Threads() == 1 || 2*m*n*k < sgemmParallelFlops {
		openblas.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, n)
		return
	}
	band := blasBand{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, byRows: m >= n || m >= 8*p.Threads()}
	if band.byRows {
		parallelOn(p, m, 8, band)
		return
	}
	parallelOn(p, n, 8, band)
}

// blasBand is the loop of sgemm over bands of rows (byRows) or columns of C,
// one cblas_sgemm call per chunk.
type blasBand struct {
	transA, transB bool
	byRows         bool
	m, n, k        int
	lda, ldb       int
	alpha, beta    float32
	a, b, c        []float32
}

func (t *blasBand) run(_, lo, hi int) {
	if t.byRows { // a band of rows of C and of op(A)
		aOff := lo * t.lda
		if t.transA {
			aOff = lo
		}
		openblas.Sgemm(t.transA, t.transB, hi-lo, t.n, t.k, t.alpha, t.a[aOff:], t.lda, t.b, t.ldb, t.beta, t.c[lo*t.n:], t.n)
		return
	}
	// a band of columns of C and of op(B)
	bOff := lo
	if t.transB {
		bOff = lo * t.ldb
	}
	openblas.Sgemm(t.transA, t.transB, t.m, hi-lo, t.k, t.alpha, t.a, t.lda, t.b[bOff:], t.ldb, t.beta, t.c[lo:], t.n)
}

// sgemmSerial is sgemm on the calling goroutine: one cblas_sgemm call. s,
// the packing space of the native GEMM, is not needed.
func sgemmSerial(_ *sgemmScratch, transA, transB bool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) {
	sgemm(nil, transA, transB, m, n, k, alpha, a, b, beta, c)
}
