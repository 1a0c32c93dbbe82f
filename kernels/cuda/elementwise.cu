// Elementwise kernels over flat float32 buffers of n elements in grid-stride
// loops: four elements a thread as float4s when every buffer is 16-byte
// aligned (these kernels are bound by memory bandwidth), one otherwise.
// Zero and Copy need no kernel (the device uses cuMemsetD32Async and
// cuMemcpyDtoDAsync).
#include "common.cuh"

// add: dst[i] = a[i] + b[i]. dst may alias a or b.
//   dst, a, b: [n]
extern "C" __global__ void add(float* dst, const float* a, const float* b, long long n) {
  if (aligned16(dst, a, b)) {
    VECTOR_STRIDE(i, n) {
      float4 x = reinterpret_cast<const float4*>(a)[i], y = reinterpret_cast<const float4*>(b)[i];
      reinterpret_cast<float4*>(dst)[i] = make_float4(x.x + y.x, x.y + y.y, x.z + y.z, x.w + y.w);
    }
    TAIL_STRIDE(j, n) dst[j] = a[j] + b[j];
    return;
  }
  GRID_STRIDE(i, n) dst[i] = a[i] + b[i];
}

// axpy: dst[i] += alpha * x[i]. x must not overlap dst unless it is dst.
//   dst, x: [n]
extern "C" __global__ void axpy(float* dst, float alpha, const float* x, long long n) {
  if (aligned16(dst, x)) {
    VECTOR_STRIDE(i, n) {
      float4 d = reinterpret_cast<float4*>(dst)[i], v = reinterpret_cast<const float4*>(x)[i];
      reinterpret_cast<float4*>(dst)[i] = make_float4(d.x + alpha * v.x, d.y + alpha * v.y, d.z + alpha * v.z, d.w + alpha * v.w);
    }
    TAIL_STRIDE(j, n) dst[j] += alpha * x[j];
    return;
  }
  GRID_STRIDE(i, n) dst[i] += alpha * x[i];
}

// f32_to_bf16 rounds src to bfloat16 (round to nearest, ties to even; NaN
// stays a quiet NaN) for the bf16 GEMM operands.
//   dst: [n] bfloat16 bits, src: [n] float32
__device__ __forceinline__ unsigned short bf16_bits(float f) {
  unsigned int bits = __float_as_uint(f);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((bits >> 16) | 0x0040u);
  return (unsigned short)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

extern "C" __global__ void f32_to_bf16(unsigned short* dst, const float* src, long long n) {
  if (aligned16(src) && ((unsigned long long)dst & 7) == 0) {
    VECTOR_STRIDE(i, n) {
      float4 x = reinterpret_cast<const float4*>(src)[i];
      uint2 h;
      h.x = bf16_bits(x.x) | (unsigned int)bf16_bits(x.y) << 16;
      h.y = bf16_bits(x.z) | (unsigned int)bf16_bits(x.w) << 16;
      reinterpret_cast<uint2*>(dst)[i] = h;
    }
    TAIL_STRIDE(j, n) dst[j] = bf16_bits(src[j]);
    return;
  }
  GRID_STRIDE(i, n) dst[i] = bf16_bits(src[i]);
}
