// Cross-entropy of the language model, forward and backward.
//   lse[r]     = log sum_j exp(logits[r,j])            (every row)
//   count      = #{r : 0 <= targets[r] < vocab}
//   loss[0]    = (1/count) * sum_{counted r} (lse[r] - logits[r, targets[r]])   (0 if count is 0)
//   dlogits[r,j] = c * (exp(logits[r,j] - lse[r]) - [j == targets[r]]),  c = dloss[0]/count
//   dlogits[r,:] = 0 where targets[r] is not counted
// A negative target marks a row left out of the loss; one at or past vocab
// (which the host never passes) is left out the same way, as the embedding
// kernels give a zero row for a bad id, so no logit outside the row is read.
// logits, dlogits: [rows, vocab]; targets: [rows] int32; lse: [rows];
// loss, dloss, c: [1].
// crossentropy_lse runs one block per row; crossentropy_loss and
// crossentropy_scale run as one block and reduce in a fixed order (the loss
// in double), so the results are reproducible.
#include "common.cuh"

extern "C" __global__ void crossentropy_lse(float* lse, const float* logits, int rows, int vocab) {
  __shared__ float red[32];
  int r = blockIdx.x;
  if (r >= rows) return;  // uniform per block
  const float* x = logits + (size_t)r * vocab;
  float m = -INFINITY;
  for (int j = threadIdx.x; j < vocab; j += blockDim.x) m = fmaxf(m, x[j]);
  m = block_max(m, red);
  float s = 0.0f;
  for (int j = threadIdx.x; j < vocab; j += blockDim.x) s += expf(x[j] - m);
  s = block_sum(s, red);
  if (threadIdx.x == 0) lse[r] = m + logf(s);
}

// counted says whether row target t is in the loss.
__device__ __forceinline__ bool counted(int t, int vocab) { return t >= 0 && t < vocab; }

extern "C" __global__ void crossentropy_loss(float* loss, const float* lse, const float* logits, const int* targets,
                                             int rows, int vocab) {
  __shared__ double red[32];
  __shared__ int cnt[32];
  double s = 0.0;
  int c = 0;
  for (int r = threadIdx.x; r < rows; r += blockDim.x) {
    int t = targets[r];
    if (!counted(t, vocab)) continue;
    s += (double)lse[r] - (double)logits[(size_t)r * vocab + t];
    c++;
  }
  s = block_sum(s, red);
  c = block_sum(c, cnt);
  if (threadIdx.x == 0) loss[0] = c > 0 ? (float)(s / c) : 0.0f;
}

extern "C" __global__ void crossentropy_scale(float* c, const int* targets, const float* dloss, int rows, int vocab) {
  __shared__ int cnt[32];
  int n = 0;
  for (int r = threadIdx.x; r < rows; r += blockDim.x) n += counted(targets[r], vocab);
  n = block_sum(n, cnt);
  if (threadIdx.x == 0) c[0] = n > 0 ? (float)((double)dloss[0] / n) : 0.0f;
}

// crossentropy_backward: grid (rows, ceil(vocab/blockDim.x)).
extern "C" __global__ void crossentropy_backward(float* dlogits, const float* logits, const float* lse,
                                                 const int* targets, const float* c, int rows, int vocab) {
  int r = blockIdx.x;
  int j = blockIdx.y * blockDim.x + threadIdx.x;
  if (r >= rows || j >= vocab) return;
  size_t i = (size_t)r * vocab + j;
  int t = targets[r];
  if (!counted(t, vocab)) {
    dlogits[i] = 0.0f;
    return;
  }
  float cc = c[0];
  float g = cc * expf(logits[i] - lse[r]);
  if (j == t) g -= cc;
  dlogits[i] = g;
}
