// Causal grouped-query attention, fused in the manner of FlashAttention-2:
// keys and values are walked in tiles through shared memory with an online
// softmax, the log-sum-exp of each query row is saved, and no seq x seq
// matrix is ever stored. Everything is float32 on the CUDA cores.
//
// Shapes (row b*seq+t holds position t of sequence b):
//   q, out, dq, dout: [batch*seq, heads*hd]     head h at columns h*hd..(h+1)*hd
//   k, v, dk, dv:     [batch*seq, kvHeads*hd]   query head h reads kv head h/(heads/kvHeads)
//   lse, D:           [batch, heads, seq]
// With s_tj = scale * q_t.k_j (scale = 1/sqrt(hd)) for j <= t:
//   forward:  out_t = sum_j softmax(s_t)_j v_j,  lse_t = log sum_j exp(s_tj)
//   backward: P_tj = exp(s_tj - lse_t),  D_t = dout_t.out_t
//             dv_j = sum_t P_tj dout_t,  dS_tj = P_tj (dout_t.v_j - D_t)
//             dq_t = scale * sum_j dS_tj k_j,  dk_j = scale * sum_t dS_tj q_t
//   (dk and dv summed over the query heads that share the kv head).
//
// Layout of the work: a row (a query row in the forward and dq kernels, a key
// row in the dk/dv kernel) belongs to TPR adjacent threads of a warp, each
// holding DPT = min(32, HD) of its HD columns in registers; dot products are
// finished with TPR-lane shuffles. HD is a compile-time bound on the head
// dimension (16, 32, 64, 128): columns hd..HD-1 are zero in the tiles and
// never written. The other operand is staged TILE rows at a time in shared
// memory, each row stored as TPR parts of DPT floats padded to DPT+4 so that
// the parts read by one warp fall in different banks. The tiles are float4
// arrays, so every read of a staged row is a 16-byte load of known alignment
// (with float arrays cast to float4, NVVM 11.8 emitted different PTX from
// run to run).
//
// The backward pass is three kernels: attention_backward_rowdot forms D,
// attention_backward_dq_<HD> walks the keys for each query row and
// attention_backward_dkdv_<HD> walks the query rows of every query head of
// the group for each key row. Each output element is summed by one thread in
// a fixed order: no atomics, reproducible results.
#include "common.cuh"

template <int HD>
struct Attn {
  static constexpr int DPT = HD < 32 ? HD : 32;  // columns per thread
  static constexpr int TPR = HD / DPT;           // threads per row
  static constexpr int THREADS = 128;
  static constexpr int ROWS = THREADS / TPR;  // rows per block
  static constexpr int TILE = 32;             // rows staged per shared-memory tile
  static constexpr int PSTRIDE = DPT + 4;     // floats per part of a staged row
  static constexpr int RSTRIDE = TPR * PSTRIDE;
};

// group_sum adds v over the TPR lanes that share a row.
template <int TPR>
__device__ __forceinline__ float group_sum(float v) {
#pragma unroll
  for (int o = 1; o < TPR; o <<= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
  return v;
}

// stage copies rows r0..r0+TILE-1 (columns 0..hd-1, row stride `stride`) of
// src into the padded tile dst, with zeros for rows >= seq and columns >= hd.
template <int HD>
__device__ __forceinline__ void stage(float4* dst4, const float* src, int r0, int seq, size_t stride, int hd) {
  float* dst = reinterpret_cast<float*>(dst4);
  using A = Attn<HD>;
  for (int idx = threadIdx.x; idx < A::TILE * HD; idx += A::THREADS) {
    int j = idx / HD, col = idx % HD;
    int r = r0 + j;
    float x = (r < seq && col < hd) ? src[(size_t)r * stride + col] : 0.0f;
    dst[j * A::RSTRIDE + (col / A::DPT) * A::PSTRIDE + col % A::DPT] = x;
  }
}

// load_part reads this thread's DPT columns of a global row (zero past hd).
template <int HD>
__device__ __forceinline__ void load_part(float* dst, const float* row, int part, int hd) {
  using A = Attn<HD>;
#pragma unroll
  for (int c = 0; c < A::DPT; c++) {
    int col = part * A::DPT + c;
    dst[c] = col < hd ? row[col] : 0.0f;
  }
}

// dot_part is the dot product of this thread's columns with its part of a staged row.
template <int HD>
__device__ __forceinline__ float dot_part(const float* a, const float4* srow) {
  using A = Attn<HD>;
  float s = 0.0f;
#pragma unroll
  for (int c = 0; c < A::DPT; c += 4) {
    float4 b = srow[c / 4];
    s += a[c] * b.x + a[c + 1] * b.y + a[c + 2] * b.z + a[c + 3] * b.w;
  }
  return s;
}

// axpy_part adds alpha times this thread's part of a staged row to acc.
template <int HD>
__device__ __forceinline__ void axpy_part(float* acc, float alpha, const float4* srow) {
  using A = Attn<HD>;
#pragma unroll
  for (int c = 0; c < A::DPT; c += 4) {
    float4 b = srow[c / 4];
    acc[c] += alpha * b.x;
    acc[c + 1] += alpha * b.y;
    acc[c + 2] += alpha * b.z;
    acc[c + 3] += alpha * b.w;
  }
}

// QueryRow is where a thread of the forward and dq kernels works: block x
// takes query tile qt = nQT-1-x (the longest tiles start first) of head h
// of sequence b; the thread holds part `part` of query row t (tc, the row
// it reads, is t clamped into the sequence when t is past its end). kv is
// the offset of kv head h/(heads/kvHeads) of sequence b in k and v, and q
// that of row tc, head h in q.
template <int HD>
struct QueryRow {
  int qt, h, b, part, t, tc;
  bool valid;
  size_t qStride, kvStride, kv, q;
  __device__ __forceinline__ QueryRow(int seq, int heads, int kvHeads, int hd) {
    using A = Attn<HD>;
    int nQT = (seq + A::ROWS - 1) / A::ROWS;
    qt = nQT - 1 - blockIdx.x;
    h = blockIdx.y;
    b = blockIdx.z;
    int g = h / (heads / kvHeads);
    part = threadIdx.x % A::TPR;
    t = qt * A::ROWS + threadIdx.x / A::TPR;
    valid = t < seq;
    tc = valid ? t : seq - 1;
    qStride = (size_t)heads * hd;
    kvStride = (size_t)kvHeads * hd;
    kv = (size_t)b * seq * kvStride + (size_t)g * hd;
    q = ((size_t)b * seq + tc) * qStride + (size_t)h * hd;
  }
};

// attn_forward: grid (ceil(seq/ROWS), heads, batch), block THREADS.
template <int HD>
__device__ __forceinline__ void attn_forward(float* out, float* lse, const float* q, const float* k, const float* v,
                                             int seq, int heads, int kvHeads, int hd, float scale) {
  using A = Attn<HD>;
  __shared__ float4 ks[A::TILE * A::RSTRIDE / 4];
  __shared__ float4 vs[A::TILE * A::RSTRIDE / 4];
  const QueryRow<HD> w(seq, heads, kvHeads, hd);
  const int qt = w.qt, h = w.h, b = w.b, part = w.part, t = w.t;
  const size_t qStride = w.qStride, kvStride = w.kvStride;
  const float* kb = k + w.kv;
  const float* vb = v + w.kv;

  float qr[A::DPT], o[A::DPT];
  load_part<HD>(qr, q + w.q, part, hd);
#pragma unroll
  for (int c = 0; c < A::DPT; c++) o[c] = 0.0f;
  float m = -INFINITY, l = 0.0f;
  int lastKey = min(seq, (qt + 1) * A::ROWS) - 1;
  for (int k0 = 0; k0 <= lastKey; k0 += A::TILE) {
    __syncthreads();  // the previous tile has been read
    stage<HD>(ks, kb, k0, seq, kvStride, hd);
    stage<HD>(vs, vb, k0, seq, kvStride, hd);
    __syncthreads();
    float s[A::TILE];
    float mt = -INFINITY;
#pragma unroll
    for (int j = 0; j < A::TILE; j++) {
      float x = group_sum<A::TPR>(dot_part<HD>(qr, ks + j * (A::RSTRIDE / 4) + part * (A::PSTRIDE / 4))) * scale;
      s[j] = k0 + j <= t ? x : -INFINITY;
      mt = fmaxf(mt, s[j]);
    }
    float mNew = fmaxf(m, mt);
    if (mNew == -INFINITY) continue;  // every key of the tile is masked for this row
    float corr = expf(m - mNew);      // 0 on the first tile (m = -inf)
    l *= corr;
#pragma unroll
    for (int c = 0; c < A::DPT; c++) o[c] *= corr;
#pragma unroll
    for (int j = 0; j < A::TILE; j++) {
      float p = expf(s[j] - mNew);
      l += p;
      axpy_part<HD>(o, p, vs + j * (A::RSTRIDE / 4) + part * (A::PSTRIDE / 4));
    }
    m = mNew;
  }
  if (!w.valid) return;
  float inv = 1.0f / l;
  float* orow = out + ((size_t)b * seq + t) * qStride + (size_t)h * hd;
#pragma unroll
  for (int c = 0; c < A::DPT; c++) {
    int col = part * A::DPT + c;
    if (col < hd) orow[col] = o[c] * inv;
  }
  if (part == 0) lse[((size_t)b * heads + h) * seq + t] = m + logf(l);
}

// attn_backward_dq: grid (ceil(seq/ROWS), heads, batch), block THREADS.
template <int HD>
__device__ __forceinline__ void attn_backward_dq(float* dq, const float* q, const float* k, const float* v,
                                                 const float* lse, const float* D, const float* dout, int seq,
                                                 int heads, int kvHeads, int hd, float scale) {
  using A = Attn<HD>;
  __shared__ float4 ks[A::TILE * A::RSTRIDE / 4];
  __shared__ float4 vs[A::TILE * A::RSTRIDE / 4];
  const QueryRow<HD> w(seq, heads, kvHeads, hd);
  const int qt = w.qt, h = w.h, b = w.b, part = w.part, t = w.t, tc = w.tc;
  const size_t qStride = w.qStride, kvStride = w.kvStride, qOff = w.q;
  const float* kb = k + w.kv;
  const float* vb = v + w.kv;

  float qr[A::DPT], gr[A::DPT], acc[A::DPT];
  load_part<HD>(qr, q + qOff, part, hd);
  load_part<HD>(gr, dout + qOff, part, hd);
#pragma unroll
  for (int c = 0; c < A::DPT; c++) acc[c] = 0.0f;
  size_t li = ((size_t)b * heads + h) * seq + tc;
  float lt = lse[li], dt = D[li];
  int lastKey = min(seq, (qt + 1) * A::ROWS) - 1;
  for (int k0 = 0; k0 <= lastKey; k0 += A::TILE) {
    __syncthreads();
    stage<HD>(ks, kb, k0, seq, kvStride, hd);
    stage<HD>(vs, vb, k0, seq, kvStride, hd);
    __syncthreads();
#pragma unroll 4
    for (int j = 0; j < A::TILE; j++) {
      const float4* krow = ks + j * (A::RSTRIDE / 4) + part * (A::PSTRIDE / 4);
      float s = group_sum<A::TPR>(dot_part<HD>(qr, krow)) * scale;
      float dp = group_sum<A::TPR>(dot_part<HD>(gr, vs + j * (A::RSTRIDE / 4) + part * (A::PSTRIDE / 4)));
      float p = k0 + j <= t ? expf(s - lt) : 0.0f;
      axpy_part<HD>(acc, p * (dp - dt), krow);
    }
  }
  if (!w.valid) return;
  float* row = dq + ((size_t)b * seq + t) * qStride + (size_t)h * hd;
#pragma unroll
  for (int c = 0; c < A::DPT; c++) {
    int col = part * A::DPT + c;
    if (col < hd) row[col] = acc[c] * scale;
  }
}

// attn_backward_dkdv: grid (ceil(seq/ROWS), kvHeads, batch), block THREADS;
// block x owns key rows x*ROWS..(x+1)*ROWS-1 of kv head blockIdx.y.
template <int HD>
__device__ __forceinline__ void attn_backward_dkdv(float* dk, float* dv, const float* q, const float* k,
                                                   const float* v, const float* lse, const float* D,
                                                   const float* dout, int seq, int heads, int kvHeads, int hd,
                                                   float scale) {
  using A = Attn<HD>;
  __shared__ float4 qs[A::TILE * A::RSTRIDE / 4];
  __shared__ float4 gs[A::TILE * A::RSTRIDE / 4];
  __shared__ float ls[A::TILE], ds[A::TILE];
  int g = blockIdx.y, b = blockIdx.z;
  int group = heads / kvHeads;
  int part = threadIdx.x % A::TPR;
  int j0 = blockIdx.x * A::ROWS;
  int j = j0 + threadIdx.x / A::TPR;
  bool valid = j < seq;
  int jc = valid ? j : seq - 1;
  size_t qStride = (size_t)heads * hd, kvStride = (size_t)kvHeads * hd;
  size_t kvOff = ((size_t)b * seq + jc) * kvStride + (size_t)g * hd;

  float kr[A::DPT], vr[A::DPT], dka[A::DPT], dva[A::DPT];
  load_part<HD>(kr, k + kvOff, part, hd);
  load_part<HD>(vr, v + kvOff, part, hd);
#pragma unroll
  for (int c = 0; c < A::DPT; c++) dka[c] = dva[c] = 0.0f;
  for (int h = g * group; h < (g + 1) * group; h++) {
    const float* qb = q + (size_t)b * seq * qStride + (size_t)h * hd;
    const float* gb = dout + (size_t)b * seq * qStride + (size_t)h * hd;
    const float* lb = lse + ((size_t)b * heads + h) * seq;
    const float* db = D + ((size_t)b * heads + h) * seq;
    for (int t0 = j0 / A::TILE * A::TILE; t0 < seq; t0 += A::TILE) {
      __syncthreads();
      stage<HD>(qs, qb, t0, seq, qStride, hd);
      stage<HD>(gs, gb, t0, seq, qStride, hd);
      if (threadIdx.x < A::TILE) {
        int t = t0 + threadIdx.x;
        ls[threadIdx.x] = t < seq ? lb[t] : 0.0f;
        ds[threadIdx.x] = t < seq ? db[t] : 0.0f;
      }
      __syncthreads();
#pragma unroll 4
      for (int i = 0; i < A::TILE; i++) {
        int t = t0 + i;
        const float4* qrow = qs + i * (A::RSTRIDE / 4) + part * (A::PSTRIDE / 4);
        const float4* grow = gs + i * (A::RSTRIDE / 4) + part * (A::PSTRIDE / 4);
        float s = group_sum<A::TPR>(dot_part<HD>(kr, qrow)) * scale;
        float dp = group_sum<A::TPR>(dot_part<HD>(vr, grow));
        float p = (t >= j && t < seq) ? expf(s - ls[i]) : 0.0f;
        axpy_part<HD>(dva, p, grow);
        axpy_part<HD>(dka, p * (dp - ds[i]), qrow);
      }
    }
  }
  if (!valid) return;
  size_t off = ((size_t)b * seq + j) * kvStride + (size_t)g * hd;
#pragma unroll
  for (int c = 0; c < A::DPT; c++) {
    int col = part * A::DPT + c;
    if (col < hd) {
      dk[off + col] = dka[c] * scale;
      dv[off + col] = dva[c];
    }
  }
}

// attention_backward_rowdot: D[b,h,t] = dout[b,t,h,:].out[b,t,h,:], one warp
// per (b, t, h).
extern "C" __global__ void attention_backward_rowdot(float* D, const float* out, const float* dout, int batch,
                                                     int seq, int heads, int hd) {
  long long w = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
  int lane = threadIdx.x & 31;
  if (w >= (long long)batch * seq * heads) return;  // uniform per warp
  const float* o = out + (size_t)w * hd;
  const float* g = dout + (size_t)w * hd;
  float s = 0.0f;
  for (int c = lane; c < hd; c += 32) s += o[c] * g[c];
  s = warp_sum(s);
  if (lane == 0) {
    int h = (int)(w % heads);
    long long bt = w / heads;
    long long b = bt / seq, t = bt % seq;
    D[((size_t)b * heads + h) * seq + t] = s;
  }
}

ATTENTION_ENTRY_POINTS(attention, attn_forward, attn_backward_dq, attn_backward_dkdv, 16)
ATTENTION_ENTRY_POINTS(attention, attn_forward, attn_backward_dq, attn_backward_dkdv, 32)
ATTENTION_ENTRY_POINTS(attention, attn_forward, attn_backward_dq, attn_backward_dkdv, 64)
ATTENTION_ENTRY_POINTS(attention, attn_forward, attn_backward_dq, attn_backward_dkdv, 128)
