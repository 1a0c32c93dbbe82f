//go:build plateau_cudaemu

package emu

import (
	"testing"
)

// BenchmarkBlockSum measures the scheduler: blocks of 256 threads, each
// thread going through 5 shuffles and a barrier (selftest_block_sum).
func BenchmarkBlockSum(b *testing.B) {
	r := newRig(b)
	const blocks, threads = 256, 256
	in, out := r.alloc(blocks*threads), r.alloc(blocks)
	if err := r.s.MemsetD32(in, 0, blocks*threads); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if err := r.launch("selftest_block_sum", Dim3{blocks, 1, 1}, Dim3{threads, 1, 1}, out, in); err != nil {
			b.Fatal(err)
		}
		if err := r.s.Synchronize(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*blocks*threads), "ns/thread")
}
