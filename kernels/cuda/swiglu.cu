// SwiGLU, the gated activation of a Llama MLP, forward and backward, in
// grid-stride loops (float4s when the buffers are 16-byte aligned). With sg = sigmoid(gate) = 1/(1+exp(-gate)):
//   forward:  out   = gate*sg * up
//   backward: dup   = dout * gate*sg
//             dgate = dout * up * sg*(1 + gate*(1-sg))
// gate, up, out, dgate, dup, dout: [n] (n = rows*ffn)
#include "common.cuh"

__device__ __forceinline__ float swiglu(float g, float u) {
  float sg = 1.0f / (1.0f + expf(-g));
  return g * sg * u;
}

extern "C" __global__ void swiglu_forward(float* out, const float* gate, const float* up, long long n) {
  if (aligned16(out, gate, up)) {
    VECTOR_STRIDE(i, n) {
      float4 g = reinterpret_cast<const float4*>(gate)[i], u = reinterpret_cast<const float4*>(up)[i];
      reinterpret_cast<float4*>(out)[i] = make_float4(swiglu(g.x, u.x), swiglu(g.y, u.y), swiglu(g.z, u.z), swiglu(g.w, u.w));
    }
    TAIL_STRIDE(j, n) out[j] = swiglu(gate[j], up[j]);
    return;
  }
  GRID_STRIDE(i, n) out[i] = swiglu(gate[i], up[i]);
}

// swiglu_grad sets *dg and *du for one element.
__device__ __forceinline__ void swiglu_grad(float* dg, float* du, float g, float u, float d) {
  float sg = 1.0f / (1.0f + expf(-g));
  *du = d * (g * sg);
  *dg = d * u * (sg * (1.0f + g * (1.0f - sg)));
}

extern "C" __global__ void swiglu_backward(float* dgate, float* dup, const float* gate, const float* up,
                                           const float* dout, long long n) {
  if (aligned16(dgate, dup, gate, up, dout)) {
    VECTOR_STRIDE(i, n) {
      float4 g = reinterpret_cast<const float4*>(gate)[i], u = reinterpret_cast<const float4*>(up)[i];
      float4 d = reinterpret_cast<const float4*>(dout)[i], dg, du;
      swiglu_grad(&dg.x, &du.x, g.x, u.x, d.x);
      swiglu_grad(&dg.y, &du.y, g.y, u.y, d.y);
      swiglu_grad(&dg.z, &du.z, g.z, u.z, d.z);
      swiglu_grad(&dg.w, &du.w, g.w, u.w, d.w);
      reinterpret_cast<float4*>(dgate)[i] = dg;
      reinterpret_cast<float4*>(dup)[i] = du;
    }
    TAIL_STRIDE(j, n) swiglu_grad(dgate + j, dup + j, gate[j], up[j], dout[j]);
    return;
  }
  GRID_STRIDE(i, n) swiglu_grad(dgate + i, dup + i, gate[i], up[i], dout[i]);
}
