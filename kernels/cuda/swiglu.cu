// SwiGLU, the gated activation of a Llama MLP, forward and backward, one
// thread per element. With sg = sigmoid(gate) = 1/(1+exp(-gate)):
//   forward:  out   = gate*sg * up
//   backward: dup   = dout * gate*sg
//             dgate = dout * up * sg*(1 + gate*(1-sg))
// gate, up, out, dgate, dup, dout: [n] (n = rows*ffn)
#include "common.cuh"

extern "C" __global__ void swiglu_forward(float* out, const float* gate, const float* up, long long n) {
  GRID_STRIDE(i, n) {
    float g = gate[i];
    float sg = 1.0f / (1.0f + expf(-g));
    out[i] = g * sg * up[i];
  }
}

extern "C" __global__ void swiglu_backward(float* dgate, float* dup, const float* gate, const float* up,
                                           const float* dout, long long n) {
  GRID_STRIDE(i, n) {
    float g = gate[i], d = dout[i];
    float sg = 1.0f / (1.0f + expf(-g));
    dup[i] = d * (g * sg);
    dgate[i] = d * up[i] * (sg * (1.0f + g * (1.0f - sg)));
  }
}
