//go:build amd64

package cpu

import "golang.org/x/sys/cpu"

// sgemmKernel6x16AVX2 is the AVX2+FMA kernelFunc of avx2Kernel: twelve YMM
// accumulators hold a 6x16 tile of C.
//
//go:noescape
func sgemmKernel6x16AVX2(kc int, a, b, c []float32, ldc int, alpha, beta float32)

// sgemmKernel12x32AVX512 is the AVX-512F kernelFunc of avx512Kernel:
// twenty-four ZMM accumulators hold a 12x32 tile of C.
//
//go:noescape
func sgemmKernel12x32AVX512(kc int, a, b, c []float32, ldc int, alpha, beta float32)

// avx2Kernel runs on any x86-64 CPU with AVX2 and FMA. Its blocking is the
// usual one for such cores: a kc x 16 micro-panel of B (16 KiB) stays in L1
// while the 6-row micro-panels of the mc x kc block of A (144 KiB) stream
// from L2.
func avx2Kernel() microKernel {
	return microKernel{name: "avx2-6x16", mr: 6, nr: 16, mc: 144, kc: 256, nc: 4080, fn: sgemmKernel6x16AVX2}
}

// avx512Kernel runs on CPUs with AVX-512F (and AVX2+FMA), doubling the width
// of every FMA over avx2Kernel. A kc x 32 micro-panel of B (24 KiB) stays in
// a 48 KiB L1 while the 12-row micro-panels of the mc x kc block of A
// (360 KiB) stream from a 1 MiB L2.
func avx512Kernel() microKernel {
	return microKernel{name: "avx512-12x32", mr: 12, nr: 32, mc: 480, kc: 192, nc: 4096, fn: sgemmKernel12x32AVX512}
}

// hasAVX2FMA reports whether the CPU and OS support the AVX2 kernel.
func hasAVX2FMA() bool { return cpu.X86.HasAVX2 && cpu.X86.HasFMA }

// hasAVX512 reports whether the CPU and OS support the AVX-512 kernel.
func hasAVX512() bool { return hasAVX2FMA() && cpu.X86.HasAVX512F }

// bestSgemmKernel returns the fastest micro-kernel this CPU supports.
func bestSgemmKernel() microKernel {
	switch {
	case hasAVX512():
		return avx512Kernel()
	case hasAVX2FMA():
		return avx2Kernel()
	}
	return goKernel()
}

// sgemmKernels lists every micro-kernel this CPU can run, fastest first, so
// tests can check each of them.
func sgemmKernels() []microKernel {
	var ks []microKernel
	if hasAVX512() {
		ks = append(ks, avx512Kernel())
	}
	if hasAVX2FMA() {
		ks = append(ks, avx2Kernel())
	}
	return append(ks, goKernel())
}
