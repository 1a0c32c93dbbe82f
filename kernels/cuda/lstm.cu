// One LSTM layer, forward and backward through time (the CPU's
// kernels/cpu/lstm.go). The GEMMs (the input projections of every step, the
// recurrent term of each step, the weight gradients) are cuBLAS calls queued
// by lstm.go; these kernels are the elementwise work of one step and the
// bias gradient. Gates are stacked i, f, g, o (PyTorch's order), G = 4h.
//   gates [rows, G]    forward: holds x wih^T on entry, the activations on exit
//   c, tc [rows, h]    the cell state and tanh of it; y [rows, h] the hidden states
//   r [batch, G]       whh h_{t-1} for the step; hprev [batch, h] h_{t-1}
//   dgates [rows, G]   backward: the gradient of the pre-activations
//   s [batch, G]       the same for the step, contiguous (for dh = s whh)
//   dh, dc [batch, h]  the gradients reaching h_t and c_t from step t+1
// rows = batch*seq, batch-major: row b*seq+t is step t of sequence b.
#include "common.cuh"

__device__ __forceinline__ float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

// lstm_cell_forward runs step t for every (sequence, unit): one thread each.
extern "C" __global__ void lstm_cell_forward(float* gates, float* c, float* tc, float* y, float* hprev,
                                             const float* r, const float* bias, int batch, int seq, int h,
                                             int t) {
  long long n = (long long)batch * h;
  GRID_STRIDE(k, n) {
    int b = (int)(k / h), j = (int)(k % h);
    size_t row = (size_t)b * seq + t;
    float* z = gates + row * 4 * h;
    const float* rb = r + (size_t)b * 4 * h;
    float zi = z[j] + bias[j], zf = z[h + j] + bias[h + j];
    float zg = z[2 * h + j] + bias[2 * h + j], zo = z[3 * h + j] + bias[3 * h + j];
    if (t > 0) {
      zi += rb[j];
      zf += rb[h + j];
      zg += rb[2 * h + j];
      zo += rb[3 * h + j];
    }
    float i = sigmoidf(zi), f = sigmoidf(zf), g = tanhf(zg), o = sigmoidf(zo);
    z[j] = i;
    z[h + j] = f;
    z[2 * h + j] = g;
    z[3 * h + j] = o;
    float cn = i * g;
    if (t > 0) cn += f * c[(row - 1) * h + j];
    float tcn = tanhf(cn);
    c[row * h + j] = cn;
    tc[row * h + j] = tcn;
    float hn = o * tcn;
    y[row * h + j] = hn;
    hprev[(size_t)b * h + j] = hn;
  }
}

// lstm_cell_backward runs step t of the backward for every (sequence, unit).
// At the last step (t == seq-1) dh and dc are not read: nothing flows in
// from a later step.
extern "C" __global__ void lstm_cell_backward(float* dgates, float* s, const float* dh, float* dc,
                                              const float* gates, const float* c, const float* tc,
                                              const float* dy, int batch, int seq, int h, int t) {
  long long n = (long long)batch * h;
  bool last = t == seq - 1;
  GRID_STRIDE(k, n) {
    int b = (int)(k / h), j = (int)(k % h);
    size_t row = (size_t)b * seq + t;
    const float* z = gates + row * 4 * h;
    float i = z[j], f = z[h + j], g = z[2 * h + j], o = z[3 * h + j];
    float tcj = tc[row * h + j];
    float dhj = dy[row * h + j];
    if (!last) dhj += dh[(size_t)b * h + j];
    float dcj = dhj * o * (1.0f - tcj * tcj);
    if (!last) dcj += dc[(size_t)b * h + j];
    float dzo = dhj * tcj * o * (1.0f - o);
    float dzi = dcj * g * i * (1.0f - i);
    float dzg = dcj * i * (1.0f - g * g);
    float dzf = t > 0 ? dcj * c[(row - 1) * h + j] * f * (1.0f - f) : 0.0f;
    dc[(size_t)b * h + j] = dcj * f;
    float* sb = s + (size_t)b * 4 * h;
    float* db = dgates + row * 4 * h;
    sb[j] = db[j] = dzi;
    sb[h + j] = db[h + j] = dzf;
    sb[2 * h + j] = db[2 * h + j] = dzg;
    sb[3 * h + j] = db[3 * h + j] = dzo;
  }
}

// lstm_bias_grad sets db[j] = sum over rows of dgates[r, j], one thread per
// column summing the rows in order in double (the CPU's order), so the
// result does not depend on the GPU.
extern "C" __global__ void lstm_bias_grad(float* db, const float* dgates, int rows, int g) {
  GRID_STRIDE(j, g) {
    double acc = 0;
    for (int r = 0; r < rows; r++) acc += dgates[(size_t)r * g + j];
    db[j] = (float)acc;
  }
}

// lstm_zero_first zeroes the rows of the first step of every sequence of
// dgates, before the GEMM that pairs each row with the previous row's h.
extern "C" __global__ void lstm_zero_first(float* dgates, int batch, int seq, int g) {
  long long n = (long long)batch * g;
  GRID_STRIDE(k, n) {
    int b = (int)(k / g), j = (int)(k % g);
    dgates[(size_t)b * seq * g + j] = 0.0f;
  }
}
