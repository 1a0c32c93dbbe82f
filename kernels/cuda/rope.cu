// Rotary position embedding in Hugging Face's rotate-half form, forward and
// backward (the backward is the inverse rotation). Row r sits at position
// t = r % seq; head h occupies columns h*hd..(h+1)*hd; half = hd/2. With
// c = cos[t,i], s = sin[t,i] (s negated when inverse), for i < half:
//   out[i]      = x[i]*c      - x[i+half]*s
//   out[i+half] = x[i+half]*c + x[i]*s
// x, out: [rows, heads*hd] (out may be x); cos, sin: [seq, half].
// One thread per (row, head, i).
#include "common.cuh"

// rotate_pair rotates the pair (i, i+hd/2) of head h of row r by the angles
// of position t (negated when inverse).
__device__ __forceinline__ void rotate_pair(float* out, const float* x, const float* cosT, const float* sinT,
                                            long long r, int t, int h, int i, int heads, int hd, int inverse) {
  int half = hd / 2;
  float c = cosT[(size_t)t * half + i];
  float s = sinT[(size_t)t * half + i];
  if (inverse) s = -s;
  size_t base = (size_t)r * heads * hd + (size_t)h * hd;
  float a = x[base + i], b = x[base + i + half];
  out[base + i] = a * c - b * s;
  out[base + i + half] = b * c + a * s;
}

extern "C" __global__ void rope(float* out, const float* x, const float* cosT, const float* sinT, int rows, int seq,
                                int heads, int hd, int inverse) {
  int half = hd / 2;
  long long n = (long long)rows * heads * half;
  GRID_STRIDE(idx, n) {
    int i = (int)(idx % half);
    long long rh = idx / half;
    int h = (int)(rh % heads);
    long long r = rh / heads;
    int t = (int)(r % seq);
    rotate_pair(out, x, cosT, sinT, r, t, h, i, heads, hd, inverse);
  }
}

// rope_at is rope with each row at its own position: row r of x and out
// ([rows, heads*hd]) is rotated by the angles of position pos[r] (int32,
// [rows]) from the [maxSeq, half] tables, for generation with a KV cache.
// A row whose position is outside [0, maxSeq) is left unwritten.
extern "C" __global__ void rope_at(float* out, const float* x, const float* cosT, const float* sinT, const int* pos,
                                   int rows, int maxSeq, int heads, int hd) {
  int half = hd / 2;
  long long n = (long long)rows * heads * half;
  GRID_STRIDE(idx, n) {
    int i = (int)(idx % half);
    long long rh = idx / half;
    int h = (int)(rh % heads);
    long long r = rh / heads;
    int t = pos[r];
    if (t < 0 || t >= maxSeq) continue;
    rotate_pair(out, x, cosT, sinT, r, t, h, i, heads, hd, 0);
  }
}
