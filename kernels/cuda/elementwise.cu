// Elementwise kernels over flat float32 buffers of n elements, one thread
// per element in a grid-stride loop. Zero and Copy need no kernel (the
// device uses cuMemsetD32Async and cuMemcpyDtoDAsync).
#include "common.cuh"

// add: dst[i] = a[i] + b[i]. dst may alias a or b.
//   dst, a, b: [n]
extern "C" __global__ void add(float* dst, const float* a, const float* b, long long n) {
  GRID_STRIDE(i, n) dst[i] = a[i] + b[i];
}

// axpy: dst[i] += alpha * x[i]. x must not overlap dst unless it is dst.
//   dst, x: [n]
extern "C" __global__ void axpy(float* dst, float alpha, const float* x, long long n) {
  GRID_STRIDE(i, n) dst[i] += alpha * x[i];
}

// f32_to_bf16 rounds src to bfloat16 (round to nearest, ties to even; NaN
// stays a quiet NaN) for the bf16 GEMM operands.
//   dst: [n] bfloat16 bits, src: [n] float32
extern "C" __global__ void f32_to_bf16(unsigned short* dst, const float* src, long long n) {
  GRID_STRIDE(i, n) {
    unsigned int bits = __float_as_uint(src[i]);
    if ((bits & 0x7fffffffu) > 0x7f800000u) {
      dst[i] = (unsigned short)((bits >> 16) | 0x0040u);
    } else {
      dst[i] = (unsigned short)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
    }
  }
}
