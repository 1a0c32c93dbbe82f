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

// AdamWScalars are the per-step constants of the update.
struct AdamWScalars {
  float sc, decay, w1, w2, beta2, negStep, bc2Sqrt, eps;
};

// adamw_element updates one parameter, its moments in place.
__device__ __forceinline__ void adamw_element(float* p, float grad, float* m, float* v, const AdamWScalars& s) {
  float g = __fmul_rn(s.sc, grad);
  float x = __fmul_rn(*p, s.decay);
  float mi = *m;
  if (s.w1 < 0.5f) {
    mi = __fadd_rn(mi, __fmul_rn(s.w1, __fsub_rn(g, mi)));
  } else {
    mi = __fsub_rn(g, __fmul_rn(__fsub_rn(g, mi), __fsub_rn(1.0f, s.w1)));
  }
  float vi = __fadd_rn(__fmul_rn(*v, s.beta2), __fmul_rn(__fmul_rn(s.w2, g), g));
  float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vi), s.bc2Sqrt), s.eps);
  *p = __fadd_rn(x, __fdiv_rn(__fmul_rn(s.negStep, mi), denom));
  *m = mi;
  *v = vi;
}

// adamw runs over float4s when every buffer is 16-byte aligned (it is bound
// by memory bandwidth), the same operations element by element.
extern "C" __global__ void adamw(float* p, const float* grad, float* m, float* v, const float* scale, long long n,
                                 float decay, float w1, float w2, float beta2, float negStep, float bc2Sqrt,
                                 float eps) {
  const AdamWScalars s{scale[0], decay, w1, w2, beta2, negStep, bc2Sqrt, eps};
  if (aligned16(p, grad, m, v)) {
    VECTOR_STRIDE(i, n) {
      float4 pp = reinterpret_cast<float4*>(p)[i], gg = reinterpret_cast<const float4*>(grad)[i];
      float4 mm = reinterpret_cast<float4*>(m)[i], vv = reinterpret_cast<float4*>(v)[i];
      adamw_element(&pp.x, gg.x, &mm.x, &vv.x, s);
      adamw_element(&pp.y, gg.y, &mm.y, &vv.y, s);
      adamw_element(&pp.z, gg.z, &mm.z, &vv.z, s);
      adamw_element(&pp.w, gg.w, &mm.w, &vv.w, s);
      reinterpret_cast<float4*>(p)[i] = pp;
      reinterpret_cast<float4*>(m)[i] = mm;
      reinterpret_cast<float4*>(v)[i] = vv;
    }
    TAIL_STRIDE(j, n) adamw_element(p + j, grad[j], m + j, v + j, s);
    return;
  }
  GRID_STRIDE(i, n) adamw_element(p + i, grad[i], m + i, v + i, s);
}
