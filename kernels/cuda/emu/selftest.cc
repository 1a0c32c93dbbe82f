//go:build plateau_cudaemu

// Kernels for the emulator's own tests (module "selftest", no PTX): correct
// ones that exercise each primitive against a value computed in Go, and
// deliberately broken ones, each with the bug the emulator must report.
#include "cuda_emu.h"

#include <cuda_bf16.h>
#include <mma.h>

#define FULL_MASK 0xffffffffu

// selftest_collectives: one block; thread t writes, at out[t*8+...], the
// results of every warp collective for its lane.
extern "C" __global__ void selftest_collectives(int* out) {
  int t = threadIdx.x, lane = t & 31;
  int* o = out + t * 8;
  o[0] = __shfl_sync(FULL_MASK, t * 10, 31 - lane);
  o[1] = __shfl_xor_sync(FULL_MASK, t * 10, 5);
  o[2] = __shfl_up_sync(FULL_MASK, t * 10, 3);
  o[3] = __shfl_down_sync(FULL_MASK, t * 10, 3);
  o[4] = __shfl_xor_sync(FULL_MASK, t * 10, 1, 4);  // width 4: lanes in groups of 4
  o[5] = (int)__ballot_sync(FULL_MASK, lane % 3 == 0);
  o[6] = __any_sync(FULL_MASK, t == 40) + 2 * __all_sync(FULL_MASK, lane < 32);
  double d = __shfl_xor_sync(FULL_MASK, (double)t + 0.5, 16);  // an 8-byte value
  o[7] = (int)(d * 2);
}

// selftest_block_sum: block b writes the sum of in[b*blockDim.x ...] to
// out[b], through shared memory and two barriers.
extern "C" __global__ void selftest_block_sum(float* out, const float* in) {
  __shared__ float part[32];
  float v = in[blockIdx.x * blockDim.x + threadIdx.x];
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
  if ((threadIdx.x & 31) == 0) part[threadIdx.x >> 5] = v;
  __syncthreads();
  if (threadIdx.x == 0) {
    float s = 0.0f;
    for (unsigned w = 0; w < blockDim.x / 32; w++) s += part[w];
    out[blockIdx.x] = s;
  }
}

// selftest_index: out[i] = i for i < n, over a 3-D grid of 3-D blocks.
extern "C" __global__ void selftest_index(int* out, int n) {
  unsigned bx = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  unsigned tx = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  long long i = (long long)bx * blockDim.x * blockDim.y * blockDim.z + tx;
  if (i < n) out[i] = (int)i;
}

// selftest_madd: out[0] = a*b + c, which must round twice (no FMA).
extern "C" __global__ void selftest_madd(float* out, float a, float b, float c) { out[0] = a * b + c; }

// selftest_copy: out[i] = in[i] for i < n (reads memory the test never wrote).
extern "C" __global__ void selftest_copy(float* out, const float* in, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i];
}

// broken_divergent_barrier: the two halves of the block wait at different
// __syncthreads.
extern "C" __global__ void broken_divergent_barrier(float* out) {
  if (threadIdx.x < 64) {
    __syncthreads();
    out[threadIdx.x] = 1.0f;
  } else {
    __syncthreads();
    out[threadIdx.x] = 2.0f;
  }
}

// broken_partial_barrier: threads past n return before a barrier the others
// wait at.
extern "C" __global__ void broken_partial_barrier(float* out, int n) {
  if ((int)threadIdx.x >= n) return;
  out[threadIdx.x] = 1.0f;
  __syncthreads();
  out[threadIdx.x] += 1.0f;
}

// broken_write_past_end: writes one element past the end of out (n elements).
extern "C" __global__ void broken_write_past_end(float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i <= n) out[i] = 1.0f;  // should be i < n
}

// broken_write_before_start: writes out[-1].
extern "C" __global__ void broken_write_before_start(float* out) {
  if (threadIdx.x == 0) out[-1] = 1.0f;
}

// broken_shuffle_after_exit: lane 31 returns, the others shuffle with a
// full mask.
extern "C" __global__ void broken_shuffle_after_exit(float* out) {
  int lane = threadIdx.x & 31;
  if (lane == 31) return;
  out[lane] = __shfl_xor_sync(FULL_MASK, (float)lane, 1);
}

// broken_deadlock: half of a warp waits in a shuffle, the other half at a
// barrier.
extern "C" __global__ void broken_deadlock(float* out) {
  if (threadIdx.x < 16) {
    out[threadIdx.x] = __shfl_sync(FULL_MASK, 1.0f, 0);
  } else {
    __syncthreads();
  }
}

// broken_misaligned_load: a float4 load from a float* one element in.
extern "C" __global__ void broken_misaligned_load(float* out, const float* in) {
  const float4* p = reinterpret_cast<const float4*>(in + 1);
  float4 v = p[threadIdx.x];
  out[threadIdx.x] = v.x + v.y + v.z + v.w;
}

// broken_read_at: reads in[i], wherever that is.
extern "C" __global__ void broken_read_at(float* out, const float* in, int i) { out[0] = in[i]; }

// selftest_wmma: one warp; d (16x16, row-major) = a (16x16 bf16, row-major)
// times b (16x16 bf16, stored column-major) plus c (16x16, column-major).
extern "C" __global__ void selftest_wmma(float* d, const __nv_bfloat16* a, const __nv_bfloat16* b, const float* c) {
  using namespace nvcuda;
  wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major> fa;
  wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::col_major> fb;
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
  wmma::load_matrix_sync(fa, a, 16);
  wmma::load_matrix_sync(fb, b, 16);
  wmma::load_matrix_sync(acc, c, 16, wmma::mem_col_major);
  for (int e = 0; e < acc.num_elements; e++) acc.x[e] *= 2.0f;  // elementwise: allowed in any layout
  wmma::mma_sync(acc, fa, fb, acc);
  wmma::store_matrix_sync(d, acc, 16, wmma::mem_row_major);
}

// broken_wmma_misaligned: a fragment load from a pointer 16 bytes off a
// 32-byte boundary.
extern "C" __global__ void broken_wmma_misaligned(const __nv_bfloat16* a) {
  nvcuda::wmma::fragment<nvcuda::wmma::matrix_a, 16, 16, 16, __nv_bfloat16, nvcuda::wmma::row_major> fa;
  nvcuda::wmma::load_matrix_sync(fa, a + 8, 16);
}

EMU_KERNEL(selftest, selftest_wmma)
EMU_KERNEL(selftest, broken_wmma_misaligned)
EMU_KERNEL(selftest, selftest_collectives)
EMU_KERNEL(selftest, selftest_block_sum)
EMU_KERNEL(selftest, selftest_index)
EMU_KERNEL(selftest, selftest_madd)
EMU_KERNEL(selftest, selftest_copy)
EMU_KERNEL(selftest, broken_divergent_barrier)
EMU_KERNEL(selftest, broken_partial_barrier)
EMU_KERNEL(selftest, broken_write_past_end)
EMU_KERNEL(selftest, broken_write_before_start)
EMU_KERNEL(selftest, broken_shuffle_after_exit)
EMU_KERNEL(selftest, broken_deadlock)
EMU_KERNEL(selftest, broken_misaligned_load)
EMU_KERNEL(selftest, broken_read_at)
