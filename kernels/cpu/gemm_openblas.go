//go:build openblas

package cpu

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

// sgemm is the float32 GEMM behind Gemm under the build tag openblas: it
// hands the product to OpenBLAS's cblas_sgemm, which runs its own threads,
// so p is not used. It has the contract of Gemm.
func sgemm(_ *Pool, transA, transB bool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) {
	if m <= 0 || n <= 0 {
		return
	}
	c = c[:m*n]
	if k <= 0 || alpha == 0 {
		// CBLAS rejects a leading dimension of 0, so k == 0 never reaches it.
		scaleInPlace(c, beta)
		return
	}
	// Slicing to the sizes C will touch turns a short operand into a Go
	// bounds-check panic instead of an out-of-bounds read in C.
	a, b = a[:m*k], b[:k*n]
	var ta, tb C.enum_CBLAS_TRANSPOSE = C.CblasNoTrans, C.CblasNoTrans
	lda, ldb := k, n
	if transA {
		ta, lda = C.CblasTrans, m
	}
	if transB {
		tb, ldb = C.CblasTrans, k
	}
	C.cblas_sgemm(C.CblasRowMajor, ta, tb, C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), (*C.float)(&a[0]), C.blasint(lda),
		(*C.float)(&b[0]), C.blasint(ldb),
		C.float(beta), (*C.float)(&c[0]), C.blasint(n))
}
