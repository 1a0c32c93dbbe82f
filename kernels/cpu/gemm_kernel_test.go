package cpu

import (
	"fmt"
	"testing"
)

// TestGemmKernels runs the float32 GEMM through every micro-kernel this CPU
// supports, not only the one Gemm picks, so the fallbacks stay correct too;
// and with no room for shared buffers, so the parallel fallback to static
// bands is checked as well.
func TestGemmKernels(t *testing.T) {
	for _, kern := range sgemmKernels() {
		for _, sharedMax := range []int{sgemmSharedMax, 0} {
			t.Run(fmt.Sprintf("%s/shared%d", kern.name, sharedMax), func(t *testing.T) {
				checkGemm(t, func(p *Pool, transA, transB bool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) {
					sgemmLimited(kern, sharedMax, p, transA, transB, m, n, k, alpha, a, b, beta, c)
				}, 1e-5)
			})
		}
	}
}

// BenchmarkGemmKernel measures each micro-kernel alone on packed panels that
// sit in L1, the ceiling the blocked GEMM can reach on one core.
func BenchmarkGemmKernel(b *testing.B) {
	const kc = 192
	for _, kern := range sgemmKernels() {
		b.Run(kern.name, func(b *testing.B) {
			ap := make([]float32, kc*kern.mr)
			bp := make([]float32, kc*kern.nr)
			c := make([]float32, kern.mr*kern.nr)
			for b.Loop() {
				kern.fn(kc, ap, bp, c, kern.nr, 1, 1)
			}
			flops := 2 * float64(kc*kern.mr*kern.nr) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
