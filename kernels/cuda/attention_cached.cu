// Generation with a KV cache: writing new keys and values into the cache,
// and attention of new query rows against it.
//
// Shapes: a step feeds n new rows per sequence, row r = b*n+i, at position
// pos[r] (int32, [batch*n]).
//   x:             [batch*n, width]
//   kc, vc, cache: [batch, maxSeq, width]   (width = kvHeads*hd for k and v)
//   q, out:        [batch*n, heads*hd]
// cache_write:      cache[b, pos[r], :] = x[r, :]
// attention_cached: with t = pos[r], g = h/(heads/kvHeads), s_j = scale*q_r.kc[b,j,g] for j <= t,
//                   out[r, h] = sum_{j<=t} softmax(s)_j vc[b,j,g]
// Positions outside [0, maxSeq) are not written by cache_write and are
// clamped into range by attention_cached, so bad input cannot reach memory
// outside the buffers.
#include "common.cuh"

extern "C" __global__ void cache_write(float* cache, const float* x, const int* pos, int rows, int n, int maxSeq,
                                       int width) {
  long long total = (long long)rows * width;
  GRID_STRIDE(idx, total) {
    long long r = idx / width;
    int c = (int)(idx % width);
    int t = pos[r];
    if (t < 0 || t >= maxSeq) continue;
    cache[((size_t)(r / n) * maxSeq + t) * width + c] = x[idx];
  }
}

#define AC_WARPS 4
#define AC_MAXHD 128

// attention_cached: grid (batch*n, heads), block 32*AC_WARPS, hd <= AC_MAXHD.
// Warp w walks the keys j = w, w+AC_WARPS, ... with an online softmax, the
// head's columns spread over its lanes; the warps' partial results are then
// merged in warp order.
extern "C" __global__ void __launch_bounds__(32 * AC_WARPS)
    attention_cached(float* out, const float* q, const float* kc, const float* vc, const int* pos, int n, int maxSeq,
                     int heads, int kvHeads, int hd, float scale) {
  __shared__ float sm[AC_WARPS], sl[AC_WARPS];
  __shared__ float so[AC_WARPS][AC_MAXHD];
  int r = blockIdx.x, h = blockIdx.y;
  int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  int g = h / (heads / kvHeads);
  int t = min(max(pos[r], 0), maxSeq - 1);
  size_t qStride = (size_t)heads * hd, kvStride = (size_t)kvHeads * hd;
  const float* qr = q + (size_t)r * qStride + (size_t)h * hd;
  size_t base = (size_t)(r / n) * maxSeq * kvStride + (size_t)g * hd;
  float qv[AC_MAXHD / 32], o[AC_MAXHD / 32];
#pragma unroll
  for (int i = 0; i < AC_MAXHD / 32; i++) {
    int c = lane + 32 * i;
    qv[i] = c < hd ? qr[c] : 0.0f;
    o[i] = 0.0f;
  }
  float m = -INFINITY, l = 0.0f;
  for (int j = warp; j <= t; j += AC_WARPS) {
    const float* kr = kc + base + (size_t)j * kvStride;
    const float* vr = vc + base + (size_t)j * kvStride;
    float s = 0.0f;
#pragma unroll
    for (int i = 0; i < AC_MAXHD / 32; i++) {
      int c = lane + 32 * i;
      if (c < hd) s += qv[i] * kr[c];
    }
    s = warp_sum(s) * scale;
    float mNew = fmaxf(m, s);
    float corr = expf(m - mNew);
    float p = expf(s - mNew);
    l = l * corr + p;
#pragma unroll
    for (int i = 0; i < AC_MAXHD / 32; i++) {
      int c = lane + 32 * i;
      if (c < hd) o[i] = o[i] * corr + p * vr[c];
    }
    m = mNew;
  }
  if (lane == 0) {
    sm[warp] = m;
    sl[warp] = l;
  }
#pragma unroll
  for (int i = 0; i < AC_MAXHD / 32; i++) {
    int c = lane + 32 * i;
    if (c < hd) so[warp][c] = o[i];
  }
  __syncthreads();
  if (warp != 0) return;
  float mx = -INFINITY;
#pragma unroll
  for (int w = 0; w < AC_WARPS; w++) mx = fmaxf(mx, sm[w]);
  float f[AC_WARPS], sum = 0.0f;
#pragma unroll
  for (int w = 0; w < AC_WARPS; w++) {
    f[w] = expf(sm[w] - mx);  // 0 for a warp that saw no key
    sum += sl[w] * f[w];
  }
  float* orow = out + (size_t)r * qStride + (size_t)h * hd;
  for (int c = lane; c < hd; c += 32) {
    float a = 0.0f;
#pragma unroll
    for (int w = 0; w < AC_WARPS; w++) a += so[w][c] * f[w];
    orow[c] = a / sum;
  }
}
