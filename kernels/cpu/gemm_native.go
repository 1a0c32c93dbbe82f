//go:build !openblas

package cpu

// sgemm is the float32 GEMM behind Gemm: blocked, packed, assembly
// micro-kernel where the CPU has one.
func sgemm(p *Pool, transA, transB bool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) {
	sgemmWith(bestSgemmKernel(), p, transA, transB, m, n, k, alpha, a, b, beta, c)
}
