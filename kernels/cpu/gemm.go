package cpu

import "unsafe"

// Gemm computes C = alpha*op(A)*op(B) + beta*C on row-major matrices, where
// op(A) is m x k and op(B) is k x n. A is stored m x k, or k x m when transA
// is set; B is stored k x n, or n x k when transB is set; C is m x n. Every
// matrix is dense (its leading dimension equals its stored row length).
//
// When beta is zero C is overwritten without being read, so it may hold
// garbage or NaN. When k is zero or alpha is zero the product is skipped and
// C becomes beta*C.
//
// Preconditions, which are the caller's responsibility and are not checked
// beyond Go's bounds checks: m, n, k >= 0, len(a) >= m*k, len(b) >= k*n,
// len(c) >= m*n, and C does not overlap A or B.
//
// The float32 path is the trainer's hot loop: it is cache blocked, packs its
// operands and runs an assembly micro-kernel where the CPU allows (or
// OpenBLAS under the build tag openblas), spread over p's goroutines. The
// float64 path is a plainer blocked loop meant for finite-difference tests.
// A nil p runs on the calling goroutine.
func Gemm[T Float](p *Pool, transA, transB bool, m, n, k int, alpha T, a, b []T, beta T, c []T) {
	if m <= 0 || n <= 0 {
		return
	}
	if unsafe.Sizeof(alpha) == 4 {
		// T's underlying type is float32: run the fast path on the same
		// memory reinterpreted as []float32.
		sgemm(p, transA, transB, m, n, k, float32(alpha), asF32(a), asF32(b), float32(beta), asF32(c))
		return
	}
	gemmBlocked(p, transA, transB, m, n, k, alpha, a, b, beta, c)
}

// asF32 views a slice whose element type has float32 as underlying type as a
// []float32 over the same memory.
func asF32[T Float](s []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// scaleInPlace sets c = beta*c, writing zeros without reading c when beta is
// zero so that NaN in c does not survive.
func scaleInPlace[T Float](c []T, beta T) {
	switch beta {
	case 0:
		clear(c)
	case 1:
	default:
		for i := range c {
			c[i] *= beta
		}
	}
}

// gemmSerial is Gemm on the calling goroutine, for kernels that run GEMMs
// inside their own parallel loops: the float32 path packs into s, the
// scratch of the loop's chunk, so that it allocates nothing.
func gemmSerial[T Float](s *chunkScratch, transA, transB bool, m, n, k int, alpha T, a, b []T, beta T, c []T) {
	if m <= 0 || n <= 0 {
		return
	}
	if is32[T]() {
		sgemmSerial(&s.gemm, transA, transB, m, n, k, float32(alpha), asF32(a), asF32(b), float32(beta), asF32(c))
		return
	}
	gemmBlocked(nil, transA, transB, m, n, k, alpha, a, b, beta, c)
}
