//go:build !amd64

package cpu

// bestSgemmKernel returns the micro-kernel the float32 GEMM runs: the
// portable Go kernel on architectures without an assembly one.
func bestSgemmKernel() microKernel { return goKernel() }

// sgemmKernels lists every micro-kernel this CPU can run, so tests can check
// each of them.
func sgemmKernels() []microKernel { return []microKernel{goKernel()} }
