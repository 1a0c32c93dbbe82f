//go:build plateau_cuda && !plateau_cudaemu

package cuda

/*
#cgo CFLAGS: -I/usr/local/cuda/include
#cgo LDFLAGS: -L/usr/local/cuda/lib64 -lcublas
#include <stdint.h>
#include <cublas_v2.h>

// plateau_gemm is cublasGemmEx on column-major operands given as device
// addresses. a and b are float32 (bf16 == 0) or bfloat16 (bf16 != 0); c is
// float32.
static cublasStatus_t plateau_gemm(cublasHandle_t h, int transA, int transB, int m, int n, int k, float alpha,
                                   uintptr_t a, int lda, uintptr_t b, int ldb, float beta, uintptr_t c, int ldc,
                                   int bf16, int compute) {
  cudaDataType_t t = bf16 ? CUDA_R_16BF : CUDA_R_32F;
  return cublasGemmEx(h, transA ? CUBLAS_OP_T : CUBLAS_OP_N, transB ? CUBLAS_OP_T : CUBLAS_OP_N, m, n, k, &alpha,
                      (const void*)a, t, lda, (const void*)b, t, ldb, &beta, (void*)c, CUDA_R_32F, ldc,
                      (cublasComputeType_t)compute, CUBLAS_GEMM_DEFAULT);
}

static cublasStatus_t plateau_set_stream(cublasHandle_t h, void* s) {
  return cublasSetStream_v2(h, (cudaStream_t)s);
}
*/
import "C"

import (
	"fmt"
	"unsafe"

	"gorgonia.org/cu"
)

// blasHandle is a cuBLAS handle bound to the device's stream, with the
// compute type its GEMMs use. gorgonia.org/cu/blas wraps cuBLAS's classic
// Sgemm on host-visible slices without streams, math modes or GemmEx, so
// plateau binds the few calls it needs itself.
type blasHandle struct {
	h       C.cublasHandle_t
	compute C.cublasComputeType_t
	bf16    bool
}

// newBlas creates the handle on the current context, binds it to stream
// and sets the math mode for precision p.
func newBlas(stream cu.Stream, p Precision) (*blasHandle, error) {
	b := &blasHandle{}
	if s := C.cublasCreate_v2(&b.h); s != C.CUBLAS_STATUS_SUCCESS {
		return nil, fmt.Errorf("cublasCreate: %s", blasStatus(s))
	}
	if s := C.plateau_set_stream(b.h, unsafe.Pointer(stream.C())); s != C.CUBLAS_STATUS_SUCCESS {
		b.destroy()
		return nil, fmt.Errorf("cublasSetStream: %s", blasStatus(s))
	}
	mode := C.cublasMath_t(C.CUBLAS_DEFAULT_MATH)
	switch p {
	case FP32, BF16:
		b.compute = C.CUBLAS_COMPUTE_32F
		b.bf16 = p == BF16
	case TF32:
		b.compute = C.CUBLAS_COMPUTE_32F_FAST_TF32
		mode = C.CUBLAS_TF32_TENSOR_OP_MATH
	}
	if s := C.cublasSetMathMode(b.h, mode); s != C.CUBLAS_STATUS_SUCCESS {
		b.destroy()
		return nil, fmt.Errorf("cublasSetMathMode: %s", blasStatus(s))
	}
	return b, nil
}

// destroy releases the handle.
func (b *blasHandle) destroy() error {
	if s := C.cublasDestroy_v2(b.h); s != C.CUBLAS_STATUS_SUCCESS {
		return fmt.Errorf("cublasDestroy: %s", blasStatus(s))
	}
	return nil
}

// gemm queues the column-major cublasGemmEx on the handle's stream.
func (b *blasHandle) gemm(transA, transB bool, m, n, k int, alpha float32, a devicePtr, lda int, bp devicePtr, ldb int,
	beta float32, c devicePtr, ldc int) error {
	s := C.plateau_gemm(b.h, cbool(transA), cbool(transB), C.int(m), C.int(n), C.int(k), C.float(alpha),
		C.uintptr_t(a), C.int(lda), C.uintptr_t(bp), C.int(ldb), C.float(beta), C.uintptr_t(c), C.int(ldc),
		cbool(b.bf16), C.int(b.compute))
	if s != C.CUBLAS_STATUS_SUCCESS {
		return fmt.Errorf("cublasGemmEx (m %d, n %d, k %d, transA %v, transB %v): %s", m, n, k, transA, transB, blasStatus(s))
	}
	return nil
}

func cbool(v bool) C.int {
	if v {
		return 1
	}
	return 0
}

// blasStatus names a cuBLAS status.
func blasStatus(s C.cublasStatus_t) string {
	switch s {
	case C.CUBLAS_STATUS_NOT_INITIALIZED:
		return "not initialized"
	case C.CUBLAS_STATUS_ALLOC_FAILED:
		return "allocation failed"
	case C.CUBLAS_STATUS_INVALID_VALUE:
		return "invalid value"
	case C.CUBLAS_STATUS_ARCH_MISMATCH:
		return "architecture mismatch"
	case C.CUBLAS_STATUS_MAPPING_ERROR:
		return "mapping error"
	case C.CUBLAS_STATUS_EXECUTION_FAILED:
		return "execution failed"
	case C.CUBLAS_STATUS_INTERNAL_ERROR:
		return "internal error"
	case C.CUBLAS_STATUS_NOT_SUPPORTED:
		return "not supported"
	}
	return fmt.Sprintf("status %d", int(s))
}
