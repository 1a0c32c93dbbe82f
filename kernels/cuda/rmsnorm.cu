// RMSNorm, forward and backward (Llama's RMSNorm):
//   rstd[r]  = 1/sqrt(mean_j x[r,j]^2 + eps)
//   out[r,j] = x[r,j]*rstd[r] * w[j]
//   c[r]     = (1/d) * sum_k dout[r,k]*w[k]*x[r,k]
//   dx[r,j]  = rstd[r] * (dout[r,j]*w[j] - x[r,j]*rstd[r]^2*c[r])
//   dw[j]    = sum_r dout[r,j]*x[r,j]*rstd[r]
// x, out, dx, dout: [rows, d]; w, dw: [d]; rstd: [rows].
// The row kernels run one warp per row. dw is a deterministic two-pass
// reduction: rmsnorm_backward_dw_partial sums fixed groups of rows per column
// into partial [groups, d], rmsnorm_backward_dw_sum adds the groups in order.
#include "common.cuh"

extern "C" __global__ void rmsnorm_forward(float* out, float* rstd, const float* x, const float* w, int rows, int d,
                                           float eps) {
  int r = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
  if (r >= rows) return;  // uniform per warp
  const float* xr = x + (size_t)r * d;
  float ss = 0.0f;
  for (int j = lane; j < d; j += 32) ss += xr[j] * xr[j];
  ss = warp_sum(ss);
  float s = (float)(1.0 / sqrt((double)ss / d + (double)eps));
  if (lane == 0) rstd[r] = s;
  float* orow = out + (size_t)r * d;
  for (int j = lane; j < d; j += 32) orow[j] = xr[j] * s * w[j];
}

extern "C" __global__ void rmsnorm_backward_dx(float* dx, const float* x, const float* w, const float* rstd,
                                               const float* dout, int rows, int d) {
  int r = (blockIdx.x * blockDim.x + threadIdx.x) >> 5, lane = threadIdx.x & 31;
  if (r >= rows) return;  // uniform per warp
  const float* xr = x + (size_t)r * d;
  const float* gr = dout + (size_t)r * d;
  float c = 0.0f;
  for (int j = lane; j < d; j += 32) c += gr[j] * w[j] * xr[j];
  c = warp_sum(c);
  float s = rstd[r];
  float k = (c / d) * s * s;
  float* dr = dx + (size_t)r * d;
  for (int j = lane; j < d; j += 32) dr[j] = s * (gr[j] * w[j] - xr[j] * k);
}

// rmsnorm_backward_dw_partial: block (32, 8) covers columns
// blockIdx.x*32..+32 and rows blockIdx.y*rowsPerGroup..+rowsPerGroup;
// partial[blockIdx.y, j] = sum of dout[r,j]*x[r,j]*rstd[r] over those rows.
extern "C" __global__ void rmsnorm_backward_dw_partial(float* partial, const float* x, const float* rstd,
                                                       const float* dout, int rows, int d, int rowsPerGroup) {
  __shared__ float acc[8][33];
  int j = blockIdx.x * 32 + threadIdx.x;
  int r0 = blockIdx.y * rowsPerGroup;
  int r1 = min(rows, r0 + rowsPerGroup);
  float a = 0.0f;
  if (j < d) {
    for (int r = r0 + threadIdx.y; r < r1; r += 8) {
      size_t i = (size_t)r * d + j;
      a += dout[i] * x[i] * rstd[r];
    }
  }
  acc[threadIdx.y][threadIdx.x] = a;
  __syncthreads();
  if (threadIdx.y == 0 && j < d) {
    float s = 0.0f;
#pragma unroll
    for (int y = 0; y < 8; y++) s += acc[y][threadIdx.x];
    partial[(size_t)blockIdx.y * d + j] = s;
  }
}

// rmsnorm_backward_dw_sum: dw[j] = sum over g < groups of partial[g, j], in order.
extern "C" __global__ void rmsnorm_backward_dw_sum(float* dw, const float* partial, int groups, int d) {
  int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (j >= d) return;
  float s = 0.0f;
  for (int g = 0; g < groups; g++) s += partial[(size_t)g * d + j];
  dw[j] = s;
}
