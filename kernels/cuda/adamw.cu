// AdamW over one flat span of parameters (PyTorch's torch.optim.AdamW, in
// its float32 order of operations; the float32 scalars are prepared on the
// host exactly as the CPU device prepares them, see adamw_scalars.go):
//   g = scale[0]*grad; p *= decay
//   m = lerp(m, g, w1)                 (m + w1*(g-m) if w1 < 0.5, else g - (g-m)*(1-w1))
//   v = v*beta2 + w2*g*g
//   p += negStep*m / (sqrt(v)/bc2Sqrt + eps)
// p, grad, m, v: [n]; scale: [1].
// The __f*_rn intrinsics keep nvcc from fusing multiplies and adds, so each
// element is rounded as on the CPU.
#include "common.cuh"

extern "C" __global__ void adamw(float* p, const float* grad, float* m, float* v, const float* scale, long long n,
                                 float decay, float w1, float w2, float beta2, float negStep, float bc2Sqrt,
                                 float eps) {
  float sc = scale[0];
  GRID_STRIDE(i, n) {
    float g = __fmul_rn(sc, grad[i]);
    float x = __fmul_rn(p[i], decay);
    float mi = m[i];
    if (w1 < 0.5f) {
      mi = __fadd_rn(mi, __fmul_rn(w1, __fsub_rn(g, mi)));
    } else {
      mi = __fsub_rn(g, __fmul_rn(__fsub_rn(g, mi), __fsub_rn(1.0f, w1)));
    }
    float vi = __fadd_rn(__fmul_rn(v[i], beta2), __fmul_rn(__fmul_rn(w2, g), g));
    float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vi), bc2Sqrt), eps);
    p[i] = __fadd_rn(x, __fdiv_rn(__fmul_rn(negStep, mi), denom));
    m[i] = mi;
    v[i] = vi;
  }
}
