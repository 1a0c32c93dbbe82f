// Reductions for gradient clipping.
//   sum_squares: out[0] += sum_i x[i]^2
//     sum_squares_partial: block b sums x[b*chunk, (b+1)*chunk) in double into parts[b];
//     sum_squares_finish: one block adds parts in a fixed order and adds the total to out[0].
//     x: [n]; parts: [ceil(n/chunk)] double; out: [1].
//   clip_scale: scale[0] = gradScale * min(1, maxNorm/(gradScale*sqrt(sumsq[0]) + 1e-6)),
//     or gradScale when maxNorm <= 0; computed in double. scale, sumsq: [1].
// The block count depends only on n, so the sum is the same on every run.
#include "common.cuh"

extern "C" __global__ void sum_squares_partial(double* parts, const float* x, long long n, long long chunk) {
  __shared__ double red[32];
  long long lo = (long long)blockIdx.x * chunk;
  long long hi = min(n, lo + chunk);
  double s = 0.0;
  for (long long i = lo + threadIdx.x; i < hi; i += blockDim.x) {
    double v = x[i];
    s += v * v;
  }
  s = block_sum(s, red);
  if (threadIdx.x == 0) parts[blockIdx.x] = s;
}

extern "C" __global__ void sum_squares_finish(float* out, const double* parts, int nparts) {
  __shared__ double red[32];
  double s = 0.0;
  for (int i = threadIdx.x; i < nparts; i += blockDim.x) s += parts[i];
  s = block_sum(s, red);
  if (threadIdx.x == 0) out[0] += (float)s;
}

extern "C" __global__ void clip_scale(float* scale, const float* sumsq, float gradScale, float maxNorm) {
  if (blockIdx.x != 0 || threadIdx.x != 0) return;
  double s = gradScale;
  if (maxNorm > 0.0f) {
    double norm = s * sqrt((double)sumsq[0]);
    s *= fmin(1.0, (double)maxNorm / (norm + 1e-6));
  }
  scale[0] = (float)s;
}
