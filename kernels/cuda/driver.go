//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"fmt"
	"unsafe"
)

// devicePtr is an address in GPU memory.
type devicePtr uintptr

// driver is the part of CUDA the device calls: one GPU with one stream, the
// kernels of kernelSpecs loaded, and cuBLAS's GemmEx. Everything above it
// (the allocation table, the arena, launches and their parameter slots,
// precision modes, sticky errors) is the same code in both builds:
//
//   - driver_cu.go (-tags plateau_cuda): the GPU, through gorgonia.org/cu
//     and cuBLAS;
//   - driver_emu.go (-tags plateau_cudaemu): the emulated GPU of
//     kernels/cuda/emu, which runs the same .cu sources on the CPU.
//
// The stream methods queue work and return; it runs in order, after the
// host has moved on, so host memory a copy reads must stay unchanged until
// an event recorded after the copy has completed.
type driver interface {
	// describe names the GPU for logs.
	describe() string
	// multiprocessors is the GPU's multiprocessor count.
	multiprocessors() int
	// memInfo returns the free and total GPU memory.
	memInfo() (free, total int64, err error)
	// memAlloc returns uninitialised GPU memory.
	memAlloc(bytes int64) (devicePtr, error)
	// memFree releases memory from memAlloc (waiting for the GPU first).
	memFree(p devicePtr) error
	// hostAlloc returns pinned host memory, which copies read and write
	// asynchronously.
	hostAlloc(bytes int) ([]byte, error)
	// hostFree releases memory from hostAlloc.
	hostFree(b []byte) error
	// newEvent makes an event for marking points in the stream.
	newEvent() (event, error)

	// memsetD32 queues setting n 32-bit words at p to v.
	memsetD32(p devicePtr, v uint32, n int64) error
	// copyHtoD queues copying bytes from pinned host memory at src to dst.
	copyHtoD(dst devicePtr, src unsafe.Pointer, bytes int64) error
	// copyDtoH queues copying bytes from src to host memory at dst.
	copyDtoH(dst unsafe.Pointer, src devicePtr, bytes int64) error
	// copyDtoD queues a device-to-device copy.
	copyDtoD(dst, src devicePtr, bytes int64) error
	// launch queues kernel k over grid blocks of block threads; params
	// point to the parameters, each in an 8-byte slot.
	launch(k kernel, grid, block dim3, params []unsafe.Pointer) error
	// gemm queues cublasGemmEx in the precision the driver was opened
	// with: the column-major C (m x n, leading dimension ldc) =
	// alpha*op(A)*op(B) + beta*C. A and B are float32, or bfloat16 in BF16
	// precision; C is float32.
	gemm(transA, transB bool, m, n, k int, alpha float32, a devicePtr, lda int, b devicePtr, ldb int,
		beta float32, c devicePtr, ldc int) error
	// synchronize waits for the stream and returns the first error of the
	// work queued on it.
	synchronize() error
	// close releases the modules, the cuBLAS handle, the stream and the
	// context.
	close() error
}

// event marks a point in the stream.
type event interface {
	// record marks the point after the work queued so far.
	record() error
	// synchronize waits until the work before the mark has run.
	synchronize() error
	// destroy releases the event.
	destroy() error
}

// loadKernels loads every module of kernelSpecs from its embedded PTX with
// load, then looks every kernel up with function into fn: the start-up both
// drivers share.
func loadKernels[M, F any](load func(module, ptx string) (M, error), function func(m M, entry string) (F, error),
	fn *[numKernels]F) error {
	byModule := map[string]M{}
	for _, m := range modules() {
		src, err := ptxModule(m)
		if err != nil {
			return err
		}
		mod, err := load(m, src)
		if err != nil {
			return fmt.Errorf("load PTX module %s: %w", m, err)
		}
		byModule[m] = mod
	}
	for k, s := range kernelSpecs {
		f, err := function(byModule[s.module], s.entry)
		if err != nil {
			return fmt.Errorf("kernel %s in module %s: %w", s.entry, s.module, err)
		}
		fn[k] = f
	}
	return nil
}
