// Helpers shared by plateau's CUDA kernels. Every kernel is declared
// extern "C" so that its PTX .entry keeps the plain name the Go side looks
// up (names.go lists them). Sizes are int; flat lengths and element offsets
// that can pass 2^31 are long long or size_t.
#pragma once

#define FULL_MASK 0xffffffffu

// warp_sum returns the sum of v over the 32 lanes of a warp, the same value
// in every lane (a fixed butterfly, so the result is reproducible).
__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
  return v;
}

// warp_max returns the maximum of v over the 32 lanes of a warp.
__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, o));
  return v;
}

// warp_sum_d is warp_sum in double precision.
__device__ __forceinline__ double warp_sum_d(double v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
  return v;
}

// block_sum returns the sum of v over the block, in every thread. blockDim.x
// must be a multiple of 32 (at most 1024) and every thread must call it.
// scratch holds 32 values; the reduction order is fixed.
template <typename T>
__device__ __forceinline__ T block_sum(T v, T* scratch) {
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
  __syncthreads();  // scratch may still be read by a previous call
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < nw ? scratch[lane] : T(0);
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
  return v;
}

// block_max returns the maximum of v over the block, in every thread; the
// same conditions as block_sum.
__device__ __forceinline__ float block_max(float v, float* scratch) {
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
  v = warp_max(v);
  __syncthreads();
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < nw ? scratch[lane] : -INFINITY;
  return warp_max(v);
}

// aligned16 says whether every pointer is 16-byte aligned, so that the
// kernel may move float4s: buffers start 256-byte aligned and the executor
// aligns parameters and activations to 16 bytes, but a sub-buffer of any
// offset is allowed, and takes the scalar path.
__device__ __forceinline__ bool aligned16() { return true; }
template <typename P, typename... Ps>
__device__ __forceinline__ bool aligned16(const P* p, const Ps*... ps) {
  return ((unsigned long long)p & 15) == 0 && aligned16(ps...);
}

// grid_stride loops i over [0, n) across the whole grid.
#define GRID_STRIDE(i, n)                                                        \
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
       i += (long long)gridDim.x * blockDim.x)

// VECTOR_STRIDE loops i over the float4s [0, n/4) of n floats across the
// grid, then TAIL_STRIDE over the last n%4 elements (j from 4*(n/4)).
#define VECTOR_STRIDE(i, n) GRID_STRIDE(i, (n) / 4)
#define TAIL_STRIDE(j, n) \
  for (long long j = (n) / 4 * 4 + (long long)blockIdx.x * blockDim.x + threadIdx.x; j < (n); j += (long long)gridDim.x * blockDim.x)

// ATTENTION_ENTRY_POINTS defines the three kernels of one attention
// implementation for head-dimension bound HD, NAME_forward_HD,
// NAME_backward_dq_HD and NAME_backward_dkdv_HD, calling the templates
// FORWARD, DQ and DKDV: attention.cu (CUDA cores) and attention_tc.cu
// (tensor cores) share these signatures, so attention.go launches either
// with the same arguments.
#define ATTENTION_ENTRY_POINTS(NAME, FORWARD, DQ, DKDV, HD)                                                     \
  extern "C" __global__ void __launch_bounds__(128) NAME##_forward_##HD(                                        \
      float* out, float* lse, const float* q, const float* k, const float* v, int seq, int heads, int kvHeads,  \
      int hd, float scale) {                                                                                   \
    FORWARD<HD>(out, lse, q, k, v, seq, heads, kvHeads, hd, scale);                                            \
  }                                                                                                            \
  extern "C" __global__ void __launch_bounds__(128) NAME##_backward_dq_##HD(                                    \
      float* dq, const float* q, const float* k, const float* v, const float* lse, const float* D,             \
      const float* dout, int seq, int heads, int kvHeads, int hd, float scale) {                               \
    DQ<HD>(dq, q, k, v, lse, D, dout, seq, heads, kvHeads, hd, scale);                                         \
  }                                                                                                            \
  extern "C" __global__ void __launch_bounds__(128) NAME##_backward_dkdv_##HD(                                  \
      float* dk, float* dv, const float* q, const float* k, const float* v, const float* lse, const float* D,  \
      const float* dout, int seq, int heads, int kvHeads, int hd, float scale) {                               \
    DKDV<HD>(dk, dv, q, k, v, lse, D, dout, seq, heads, kvHeads, hd, scale);                                   \
  }
