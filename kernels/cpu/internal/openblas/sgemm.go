//go:build openblas

package openblas

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

// init keeps OpenBLAS on the calling thread. plateau splits each GEMM over
// its own goroutines (package cpu's Pool) and runs the other kernels on
// them too; OpenBLAS's own thread pool would compete with those goroutines
// for the same cores, its idle threads spinning while Go code runs.
func init() { C.openblas_set_num_threads(1) }

// Sgemm computes C = alpha*op(A)*op(B) + beta*C with cblas_sgemm on
// row-major matrices with leading dimensions lda, ldb and ldc: op(A) is
// m x k (A stored m x k, or k x m when transA), op(B) is k x n (B stored
// k x n, or n x k when transB) and C is m x n.
//
// Preconditions: m, n, k >= 1 and the slices hold every element the
// leading dimensions reach; the last element each needs is indexed first,
// so a short slice panics in Go instead of being overrun in C.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ra, ca := m, k
	if transA {
		ra, ca = k, m
	}
	rb, cb := k, n
	if transB {
		rb, cb = n, k
	}
	_, _, _ = a[(ra-1)*lda+ca-1], b[(rb-1)*ldb+cb-1], c[(m-1)*ldc+n-1]
	ta, tb := C.enum_CBLAS_TRANSPOSE(C.CblasNoTrans), C.enum_CBLAS_TRANSPOSE(C.CblasNoTrans)
	if transA {
		ta = C.CblasTrans
	}
	if transB {
		tb = C.CblasTrans
	}
	C.cblas_sgemm(C.CblasRowMajor, ta, tb, C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), (*C.float)(&a[0]), C.blasint(lda),
		(*C.float)(&b[0]), C.blasint(ldb),
		C.float(beta), (*C.float)(&c[0]), C.blasint(ldc))
}
