// Causal grouped-query attention on the tensor cores, for -precision bf16:
// the products Q K^T, P V, dO V^T, dS K, P^T dO and dS^T Q are 16x16x16
// bfloat16 matrix multiplies with float accumulation (nvcuda::wmma), the
// softmax, its statistics and every accumulator are float. Same shapes,
// outputs and causal mask as attention.cu (see there):
//   q, out, dq, dout: [batch*seq, heads*hd]; k, v, dk, dv: [batch*seq, kvHeads*hd];
//   lse, D: [batch, heads, seq]; D = rowsum(dout*out) from attention_backward_rowdot.
// q, k, v and dout are read as float and rounded to bfloat16 as they are
// staged into shared memory; P and dS are rounded to bfloat16 for their
// products, as FlashAttention-2 does in bf16.
//
// The layout of a wmma fragment's elements over the lanes is unspecified,
// so nothing here reads a fragment element by element: a product goes
// through shared memory (store_matrix_sync) when its elements are needed
// one by one (the softmax, the output). Each warp owns 16 rows; lane l works
// on row l/2 of them, half l%2 of the columns.
//
//   attention_tc_forward_<HD>:       grid (ceil(seq/64), heads, batch); a block holds 64
//                                    query rows and walks key tiles of 32 with an online
//                                    softmax; O is kept in the lanes' registers.
//   attention_tc_backward_dq_<HD>:   grid (ceil(seq/64), heads, batch); dq += dS K per key tile.
//   attention_tc_backward_dkdv_<HD>: grid (ceil(seq/64), kvHeads, batch); a block holds 64
//                                    key rows and walks query tiles of 32 of every query
//                                    head of the group: dv += P^T dO, dk += dS^T Q.
// Every output element is summed in a fixed order by one warp: no atomics.
// HD (16, 32, 64, 128) bounds the head dimension; columns hd..HD-1 are zero
// in the staged tiles and never written.
#include <cuda_bf16.h>
#include <mma.h>

#include "common.cuh"

using namespace nvcuda;

template <int HD>
struct TC {
  static constexpr int WARPS = 4;
  static constexpr int THREADS = 32 * WARPS;
  static constexpr int ROWS = 16 * WARPS;       // rows a block owns (queries, or keys in dkdv)
  static constexpr int TILE = 32;               // rows of the other operand per tile
  static constexpr int LDH = HD + 8;            // bf16 row stride of staged tiles
  static constexpr int LDS = TILE + 4;          // float stride of a 16 x TILE product
  static constexpr int LDP = TILE + 8;          // bf16 stride of a 16 x TILE P or dS
  static constexpr int CH = HD < 64 ? HD : 64;  // columns of the output read back at a time
  static constexpr int LDO = CH + 4;            // float stride of a 16 x CH output chunk
  static constexpr int SCRATCH = 2 * 16 * LDS > 16 * LDO ? 2 * 16 * LDS : 16 * LDO;  // floats per warp
  static constexpr int HALF = HD / 2;           // output columns per lane
};

using FragA = wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major>;
using FragAT = wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::col_major>;
using FragB = wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::row_major>;
using FragBT = wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::col_major>;
using FragC = wmma::fragment<wmma::accumulator, 16, 16, 16, float>;

// tc_stage rounds rows r0..r0+n-1 (columns 0..hd-1, row stride `stride`)
// of src to bfloat16 into dst (stride LDH), with zeros for rows >= seq and
// columns >= hd.
template <int HD>
__device__ __forceinline__ void tc_stage(__nv_bfloat16* dst, const float* src, int r0, int n, int seq, size_t stride,
                                         int hd) {
  using C = TC<HD>;
  for (int idx = threadIdx.x; idx < n * HD; idx += C::THREADS) {
    int j = idx / HD, col = idx % HD;
    int r = r0 + j;
    float x = (r < seq && col < hd) ? src[(size_t)r * stride + col] : 0.0f;
    dst[j * C::LDH + col] = __float2bfloat16(x);
  }
}

// tc_load_rows stages rows r0..r0+ROWS-1 of src into tiles (the whole
// buffer) and loads this warp's 16 of them as A fragments; the block's
// threads must all call it, with the tiles free.
template <int HD>
__device__ __forceinline__ void tc_load_rows(FragA (&a)[HD / 16], __nv_bfloat16* tiles, const float* src, int r0,
                                             int seq, size_t stride, int hd) {
  using C = TC<HD>;
  tc_stage<HD>(tiles, src, r0, C::ROWS, seq, stride, hd);
  __syncthreads();
  const int warp = threadIdx.x >> 5;
#pragma unroll
  for (int kk = 0; kk < HD / 16; kk++) wmma::load_matrix_sync(a[kk], tiles + warp * 16 * C::LDH + kk * 16, C::LDH);
  __syncthreads();  // every warp has its fragments: the tiles are free again
}

// tc_times_tile_t sets out (stride LDS) to the 16 x TILE product of this
// warp's A fragments (16 rows of HD) and a staged tile transposed (its
// TILE rows as the product's columns).
template <int HD, typename FA>
__device__ __forceinline__ void tc_times_tile_t(float* out, const FA (&a)[HD / 16], const __nv_bfloat16* tile) {
  using C = TC<HD>;
#pragma unroll
  for (int j = 0; j < C::TILE / 16; j++) {
    FragC s;
    wmma::fill_fragment(s, 0.0f);
#pragma unroll
    for (int kk = 0; kk < HD / 16; kk++) {
      FragBT b;
      wmma::load_matrix_sync(b, tile + j * 16 * C::LDH + kk * 16, C::LDH);
      wmma::mma_sync(s, a[kk], b, s);
    }
    wmma::store_matrix_sync(out + j * 16, s, C::LDS, wmma::mem_row_major);
  }
}

// tc_accumulate adds P (16 x TILE bf16, stride LDP) times a staged tile
// (TILE rows of HD) into the HD/16 accumulators acc.
template <int HD>
__device__ __forceinline__ void tc_accumulate(FragC (&acc)[HD / 16], const __nv_bfloat16* p, const __nv_bfloat16* tile) {
  using C = TC<HD>;
#pragma unroll
  for (int kk = 0; kk < C::TILE / 16; kk++) {
    FragA a;
    wmma::load_matrix_sync(a, p + kk * 16, C::LDP);
#pragma unroll
    for (int jj = 0; jj < HD / 16; jj++) {
      FragB b;
      wmma::load_matrix_sync(b, tile + kk * 16 * C::LDH + jj * 16, C::LDH);
      wmma::mma_sync(acc[jj], a, b, acc[jj]);
    }
  }
}

// tc_write writes the warp's accumulators times scale to rows row0.. of
// dst (row stride `stride`, rows < seq and columns < hd only), through the
// warp's scratch.
template <int HD>
__device__ __forceinline__ void tc_write(float* dst, const FragC (&acc)[HD / 16], float* scratch, int row0, int seq,
                                         size_t stride, int hd, float scale) {
  using C = TC<HD>;
  int lane = threadIdx.x & 31;
#pragma unroll
  for (int ch = 0; ch < HD; ch += C::CH) {
#pragma unroll
    for (int jj = 0; jj < C::CH / 16; jj++) wmma::store_matrix_sync(scratch + jj * 16, acc[ch / 16 + jj], C::LDO, wmma::mem_row_major);
    __syncwarp();
    for (int idx = lane; idx < 16 * C::CH; idx += 32) {
      int r = idx / C::CH, c = idx % C::CH;
      if (row0 + r < seq && ch + c < hd) dst[(size_t)(row0 + r) * stride + ch + c] = scratch[r * C::LDO + c] * scale;
    }
    __syncwarp();
  }
}

template <int HD>
__device__ __forceinline__ void tc_forward(float* out, float* lse, const float* q, const float* k, const float* v,
                                           int seq, int heads, int kvHeads, int hd, float scale) {
  using C = TC<HD>;
  __shared__ __align__(32) __nv_bfloat16 tiles[2 * C::TILE * C::LDH];  // K then V; the Q tile at the start
  __shared__ __align__(32) float scratch[C::WARPS * C::SCRATCH];
  __shared__ __align__(32) __nv_bfloat16 pbuf[C::WARPS * 16 * C::LDP];
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, half = lane & 1;
  const int q0 = (gridDim.x - 1 - blockIdx.x) * C::ROWS;  // the longest tiles start first
  const int h = blockIdx.y, b = blockIdx.z, g = h / (heads / kvHeads);
  const size_t qStride = (size_t)heads * hd, kvStride = (size_t)kvHeads * hd;
  const float* kb = k + (size_t)b * seq * kvStride + (size_t)g * hd;
  const float* vb = v + (size_t)b * seq * kvStride + (size_t)g * hd;
  float* sw = scratch + warp * C::SCRATCH;
  __nv_bfloat16* pw = pbuf + warp * 16 * C::LDP;
  const int rowInWarp = lane >> 1;
  const int row = q0 + warp * 16 + rowInWarp;

  FragA qa[HD / 16];
  tc_load_rows<HD>(qa, tiles, q + (size_t)b * seq * qStride + (size_t)h * hd, q0, seq, qStride, hd);

  float o[C::HALF];
#pragma unroll
  for (int c = 0; c < C::HALF; c++) o[c] = 0.0f;
  float m = -INFINITY, l = 0.0f;
  const int lastKey = min(seq, q0 + C::ROWS) - 1;
  for (int k0 = 0; k0 <= lastKey; k0 += C::TILE) {
    __syncthreads();  // the Q tile, or the previous K and V tiles, have been read
    tc_stage<HD>(tiles, kb, k0, C::TILE, seq, kvStride, hd);
    tc_stage<HD>(tiles + C::TILE * C::LDH, vb, k0, C::TILE, seq, kvStride, hd);
    __syncthreads();
    tc_times_tile_t<HD>(sw, qa, tiles);  // S = Q K^T
    __syncwarp();
    float s[C::TILE / 2];
    float mt = -INFINITY;
#pragma unroll
    for (int c = 0; c < C::TILE / 2; c++) {
      int col = half * (C::TILE / 2) + c;
      s[c] = k0 + col <= row ? sw[rowInWarp * C::LDS + col] * scale : -INFINITY;
      mt = fmaxf(mt, s[c]);
    }
    mt = fmaxf(mt, __shfl_xor_sync(FULL_MASK, mt, 1));
    const float mNew = fmaxf(m, mt);
    const float corr = mNew == -INFINITY ? 1.0f : expf(m - mNew);  // 0 on the first tile (m = -inf)
    float ls = 0.0f;
#pragma unroll
    for (int c = 0; c < C::TILE / 2; c++) {
      float p = mNew == -INFINITY ? 0.0f : expf(s[c] - mNew);
      ls += p;
      pw[rowInWarp * C::LDP + half * (C::TILE / 2) + c] = __float2bfloat16(p);
    }
    ls += __shfl_xor_sync(FULL_MASK, ls, 1);
    l = l * corr + ls;
    m = mNew;
#pragma unroll
    for (int c = 0; c < C::HALF; c++) o[c] *= corr;
    __syncwarp();  // S has been read and P written: the scratch takes P V
#pragma unroll
    for (int ch = 0; ch < HD; ch += C::CH) {
#pragma unroll
      for (int jj = 0; jj < C::CH / 16; jj++) {
        FragC pv;
        wmma::fill_fragment(pv, 0.0f);
#pragma unroll
        for (int kk = 0; kk < C::TILE / 16; kk++) {
          FragA pa;
          FragB vf;
          wmma::load_matrix_sync(pa, pw + kk * 16, C::LDP);
          wmma::load_matrix_sync(vf, tiles + (C::TILE + kk * 16) * C::LDH + ch + jj * 16, C::LDH);
          wmma::mma_sync(pv, pa, vf, pv);
        }
        wmma::store_matrix_sync(sw + jj * 16, pv, C::LDO, wmma::mem_row_major);
      }
      __syncwarp();
#pragma unroll
      for (int c = 0; c < C::HALF; c++) {
        int col = half * C::HALF + c;
        if (col >= ch && col < ch + C::CH) o[c] += sw[rowInWarp * C::LDO + col - ch];
      }
      __syncwarp();
    }
  }
  if (row >= seq) return;
  const float inv = 1.0f / l;
  float* orow = out + ((size_t)b * seq + row) * qStride + (size_t)h * hd;
#pragma unroll
  for (int c = 0; c < C::HALF; c++) {
    int col = half * C::HALF + c;
    if (col < hd) orow[col] = o[c] * inv;
  }
  if (half == 0) lse[((size_t)b * heads + h) * seq + row] = m + logf(l);
}

template <int HD>
__device__ __forceinline__ void tc_backward_dq(float* dq, const float* q, const float* k, const float* v,
                                               const float* lse, const float* D, const float* dout, int seq, int heads,
                                               int kvHeads, int hd, float scale) {
  using C = TC<HD>;
  __shared__ __align__(32) __nv_bfloat16 tiles[2 * C::TILE * C::LDH];  // K then V; Q and dO at the start
  __shared__ __align__(32) float scratch[C::WARPS * C::SCRATCH];
  __shared__ __align__(32) __nv_bfloat16 pbuf[C::WARPS * 16 * C::LDP];
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, half = lane & 1;
  const int q0 = (gridDim.x - 1 - blockIdx.x) * C::ROWS;
  const int h = blockIdx.y, b = blockIdx.z, g = h / (heads / kvHeads);
  const size_t qStride = (size_t)heads * hd, kvStride = (size_t)kvHeads * hd;
  const float* kb = k + (size_t)b * seq * kvStride + (size_t)g * hd;
  const float* vb = v + (size_t)b * seq * kvStride + (size_t)g * hd;
  const size_t qOff = (size_t)b * seq * qStride + (size_t)h * hd;
  float* sw = scratch + warp * C::SCRATCH;  // S, then dP at sw + 16*LDS
  __nv_bfloat16* dsw = pbuf + warp * 16 * C::LDP;
  const int rowInWarp = lane >> 1;
  const int row = q0 + warp * 16 + rowInWarp;
  const size_t li = ((size_t)b * heads + h) * seq + min(row, seq - 1);
  const float lt = lse[li], dt = D[li];

  FragA qa[HD / 16], ga[HD / 16];
  tc_load_rows<HD>(qa, tiles, q + qOff, q0, seq, qStride, hd);
  tc_load_rows<HD>(ga, tiles, dout + qOff, q0, seq, qStride, hd);

  FragC acc[HD / 16];
#pragma unroll
  for (int jj = 0; jj < HD / 16; jj++) wmma::fill_fragment(acc[jj], 0.0f);
  const int lastKey = min(seq, q0 + C::ROWS) - 1;
  for (int k0 = 0; k0 <= lastKey; k0 += C::TILE) {
    __syncthreads();
    tc_stage<HD>(tiles, kb, k0, C::TILE, seq, kvStride, hd);
    tc_stage<HD>(tiles + C::TILE * C::LDH, vb, k0, C::TILE, seq, kvStride, hd);
    __syncthreads();
    tc_times_tile_t<HD>(sw, qa, tiles);                                 // S = Q K^T
    tc_times_tile_t<HD>(sw + 16 * C::LDS, ga, tiles + C::TILE * C::LDH);  // dP = dO V^T
    __syncwarp();
#pragma unroll
    for (int c = 0; c < C::TILE / 2; c++) {
      int col = half * (C::TILE / 2) + c;
      float p = k0 + col <= row ? expf(sw[rowInWarp * C::LDS + col] * scale - lt) : 0.0f;
      dsw[rowInWarp * C::LDP + col] = __float2bfloat16(p * (sw[(16 + rowInWarp) * C::LDS + col] - dt));
    }
    __syncwarp();
    tc_accumulate<HD>(acc, dsw, tiles);  // dQ += dS K
  }
  __syncwarp();
  tc_write<HD>(dq + qOff, acc, sw, q0 + warp * 16, seq, qStride, hd, scale);
}

template <int HD>
__device__ __forceinline__ void tc_backward_dkdv(float* dk, float* dv, const float* q, const float* k, const float* v,
                                                 const float* lse, const float* D, const float* dout, int seq,
                                                 int heads, int kvHeads, int hd, float scale) {
  using C = TC<HD>;
  __shared__ __align__(32) __nv_bfloat16 tiles[2 * C::TILE * C::LDH];  // Q then dO; K and V at the start
  __shared__ __align__(32) float scratch[C::WARPS * C::SCRATCH];
  __shared__ __align__(32) __nv_bfloat16 pbuf[C::WARPS * 2 * 16 * C::LDP];
  __shared__ float ls[C::TILE], ds[C::TILE];
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, half = lane & 1;
  const int g = blockIdx.y, b = blockIdx.z, group = heads / kvHeads;
  const int j0 = blockIdx.x * C::ROWS;
  const size_t qStride = (size_t)heads * hd, kvStride = (size_t)kvHeads * hd;
  const size_t kvOff = (size_t)b * seq * kvStride + (size_t)g * hd;
  float* sw = scratch + warp * C::SCRATCH;  // S^T, then dP^T at sw + 16*LDS
  __nv_bfloat16* pw = pbuf + warp * 2 * 16 * C::LDP;  // P^T, then dS^T at pw + 16*LDP
  const int rowInWarp = lane >> 1;
  const int key = j0 + warp * 16 + rowInWarp;

  FragA ka[HD / 16], va[HD / 16];
  tc_load_rows<HD>(ka, tiles, k + kvOff, j0, seq, kvStride, hd);
  tc_load_rows<HD>(va, tiles, v + kvOff, j0, seq, kvStride, hd);

  FragC dka[HD / 16], dva[HD / 16];
#pragma unroll
  for (int jj = 0; jj < HD / 16; jj++) {
    wmma::fill_fragment(dka[jj], 0.0f);
    wmma::fill_fragment(dva[jj], 0.0f);
  }
  for (int h = g * group; h < (g + 1) * group; h++) {
    const size_t qOff = (size_t)b * seq * qStride + (size_t)h * hd;
    const float* lb = lse + ((size_t)b * heads + h) * seq;
    const float* db = D + ((size_t)b * heads + h) * seq;
    for (int t0 = j0 / C::TILE * C::TILE; t0 < seq; t0 += C::TILE) {
      __syncthreads();
      tc_stage<HD>(tiles, q + qOff, t0, C::TILE, seq, qStride, hd);
      tc_stage<HD>(tiles + C::TILE * C::LDH, dout + qOff, t0, C::TILE, seq, qStride, hd);
      if (threadIdx.x < C::TILE) {
        int t = t0 + threadIdx.x;
        ls[threadIdx.x] = t < seq ? lb[t] : 0.0f;
        ds[threadIdx.x] = t < seq ? db[t] : 0.0f;
      }
      __syncthreads();
      tc_times_tile_t<HD>(sw, ka, tiles);                                 // S^T = K Q^T
      tc_times_tile_t<HD>(sw + 16 * C::LDS, va, tiles + C::TILE * C::LDH);  // dP^T = V dO^T
      __syncwarp();
#pragma unroll
      for (int c = 0; c < C::TILE / 2; c++) {
        int col = half * (C::TILE / 2) + c, t = t0 + col;
        float p = (t >= key && t < seq) ? expf(sw[rowInWarp * C::LDS + col] * scale - ls[col]) : 0.0f;
        pw[rowInWarp * C::LDP + col] = __float2bfloat16(p);
        pw[(16 + rowInWarp) * C::LDP + col] = __float2bfloat16(p * (sw[(16 + rowInWarp) * C::LDS + col] - ds[col]));
      }
      __syncwarp();
      tc_accumulate<HD>(dva, pw, tiles + C::TILE * C::LDH);  // dV += P^T dO
      tc_accumulate<HD>(dka, pw + 16 * C::LDP, tiles);       // dK += dS^T Q
    }
  }
  __syncwarp();
  tc_write<HD>(dk + kvOff, dka, sw, j0 + warp * 16, seq, kvStride, hd, scale);
  tc_write<HD>(dv + kvOff, dva, sw, j0 + warp * 16, seq, kvStride, hd, 1.0f);
}

ATTENTION_ENTRY_POINTS(attention_tc, tc_forward, tc_backward_dq, tc_backward_dkdv, 16)
ATTENTION_ENTRY_POINTS(attention_tc, tc_forward, tc_backward_dq, tc_backward_dkdv, 32)
ATTENTION_ENTRY_POINTS(attention_tc, tc_forward, tc_backward_dq, tc_backward_dkdv, 64)
ATTENTION_ENTRY_POINTS(attention_tc, tc_forward, tc_backward_dq, tc_backward_dkdv, 128)
