//go:build !openblas

package cpu

// sgemm is the float32 GEMM behind Gemm: blocked, packed, assembly
// micro-kernel where the CPU has one.
func sgemm(p *Pool, transA, transB bool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) {
	sgemmWith(bestSgemmKernel(), p, transA, transB, m, n, k, alpha, a, b, beta, c)
}

// sgemmSerial is sgemm on the calling goroutine with the packing space s,
// for kernels that run GEMMs inside their own parallel loops.
func sgemmSerial(s *sgemmScratch, transA, transB bool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) {
	sgemmSerialWith(bestSgemmKernel(), s, transA, transB, m, n, k, alpha, a, b, beta, c)
}
