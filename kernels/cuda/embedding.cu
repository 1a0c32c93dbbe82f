// Token embedding, forward and backward.
//   forward:  out[r,:] = w[ids[r],:]  (0 for an id outside [0, vocab))
//   backward: dw = 0, then dw[ids[r],:] += dout[r,:] for r in order
// w, dw: [vocab, d]; ids: [rows]; out, dout: [rows, d].
// The backward is deterministic, without atomics: block b owns the table
// rows [b*vocabPerBlock, (b+1)*vocabPerBlock), zeroes them, then scans every
// id in row order (a warp ballot picks the ids that fall in its part) and
// adds the matching rows of dout. Each element of dw is thus summed by one
// thread in row order, the same order as the CPU device. Ids outside
// [0, vocab) contribute nothing.
#include "common.cuh"

extern "C" __global__ void embedding_forward(float* out, const float* w, const int* ids, int rows, int d,
                                             int vocab) {
  int r = blockIdx.x;
  if (r >= rows) return;
  int id = ids[r];
  float* dst = out + (size_t)r * d;
  if (id < 0 || id >= vocab) {  // a bad id reads no memory outside w: its row is zero
    for (int j = threadIdx.x; j < d; j += blockDim.x) dst[j] = 0.0f;
    return;
  }
  const float* src = w + (size_t)id * d;
  if (d % 4 == 0 && aligned16(dst, src)) {  // a memory-bound copy: float4s when it can
    for (int j = threadIdx.x; j < d / 4; j += blockDim.x)
      reinterpret_cast<float4*>(dst)[j] = reinterpret_cast<const float4*>(src)[j];
    return;
  }
  for (int j = threadIdx.x; j < d; j += blockDim.x) dst[j] = src[j];
}

extern "C" __global__ void embedding_backward(float* dw, const int* ids, const float* dout, int rows, int d, int vocab,
                                              int vocabPerBlock) {
  __shared__ unsigned int masks[32];
  int lo = blockIdx.x * vocabPerBlock;
  int hi = min(vocab, lo + vocabPerBlock);
  if (lo >= hi) return;  // uniform per block
  for (size_t i = (size_t)lo * d + threadIdx.x; i < (size_t)hi * d; i += blockDim.x) dw[i] = 0.0f;
  __syncthreads();
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
  for (int base = 0; base < rows; base += blockDim.x) {
    int r = base + threadIdx.x;
    bool hit = false;
    if (r < rows) {
      int id = ids[r];
      hit = id >= lo && id < hi;
    }
    unsigned int m = __ballot_sync(FULL_MASK, hit);
    if (lane == 0) masks[warp] = m;
    __syncthreads();
    for (int wi = 0; wi < nw; wi++) {
      unsigned int mm = masks[wi];
      while (mm) {
        int bit = __ffs(mm) - 1;
        mm &= mm - 1;
        int rr = base + wi * 32 + bit;
        float* dst = dw + (size_t)ids[rr] * d;
        const float* src = dout + (size_t)rr * d;
        for (int j = threadIdx.x; j < d; j += blockDim.x) dst[j] += src[j];
      }
    }
    __syncthreads();  // masks are rewritten next round
  }
}
