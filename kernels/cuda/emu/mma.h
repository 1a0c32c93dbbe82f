// mma.h for the emulated GPU: nvcuda::wmma's 16x16x16 fragments with
// bfloat16 operands and float accumulators, the warp-wide matrix operations
// plateau's tensor-core kernels use.
//
// On the GPU a fragment's elements are spread over the warp's lanes in an
// unspecified way; kernels may only load, store, fill and multiply whole
// fragments (or treat every element alike). Here each lane holds 8
// elements whose place in the 16x16 tile is a deliberately scrambled
// permutation, different for each kind of fragment, so that a kernel that
// assumes a layout gets wrong results. load, store and mma are collectives
// of the whole warp: every lane must call them, with the same pointer and
// leading dimension; the pointer must be 32-byte aligned and the leading
// dimension a multiple of 16 bytes, as on the GPU.
#pragma once

#include <cstdint>

#include "cuda_bf16.h"
#include "runtime.h"

namespace nvcuda {
namespace wmma {

struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
enum layout_t { mem_row_major, mem_col_major };

template <typename Use, int M, int N, int K, typename T, typename Layout = void>
class fragment {
  static_assert(M == 16 && N == 16 && K == 16, "the emulator has the m16n16k16 shape only");

 public:
  static constexpr int num_elements = 8;
  T x[num_elements];
};

namespace detail {

// place returns the (row, column) of element e of lane l in a fragment of
// kind use (0: matrix_a, 1: matrix_b, 2: accumulator): a permutation of the
// 256 places, scrambled so that no simple layout is right.
inline void place(int use, int l, int e, int* row, int* col) {
  static const int mul[3] = {37, 101, 73}, add[3] = {11, 29, 53};
  int p = ((l * 8 + e) * mul[use] + add[use]) & 255;
  *row = p >> 4;
  *col = p & 15;
}

inline float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }
inline float to_float(float v) { return v; }

// memory is one lane's part of a load or store: its fragment's elements.
struct memory {
  void* x;
  const void* ptr;
  unsigned ldm;
  bool col_major;
};

// transfer moves the 32 lanes' fragments of kind use to or from memory.
template <int use, typename T, bool store>
void transfer(void* const* lanes, void* what) {
  const memory* m0 = static_cast<const memory*>(lanes[0]);
  const char* op = static_cast<const char*>(what);
  if (reinterpret_cast<uintptr_t>(m0->ptr) % 32 != 0) emu::fault("%s: pointer %p is not 32-byte aligned", op, m0->ptr);
  if ((m0->ldm * sizeof(T)) % 16 != 0)
    emu::fault("%s: leading dimension %u is not a multiple of 16 bytes", op, m0->ldm);
  for (int l = 1; l < 32; l++) {
    const memory* m = static_cast<const memory*>(lanes[l]);
    if (m->ptr != m0->ptr || m->ldm != m0->ldm || m->col_major != m0->col_major)
      emu::fault("%s: lane %d gives another pointer, leading dimension or layout than lane 0", op, l);
  }
  T* base = const_cast<T*>(static_cast<const T*>(m0->ptr));
  for (int l = 0; l < 32; l++) {
    T* x = static_cast<T*>(static_cast<const memory*>(lanes[l])->x);
    for (int e = 0; e < 8; e++) {
      int r, c;
      place(use, l, e, &r, &c);
      T* at = m0->col_major ? base + (size_t)c * m0->ldm + r : base + (size_t)r * m0->ldm + c;
      if (store) {
        *at = x[e];
      } else {
        x[e] = *at;
      }
    }
  }
}

// product is one lane's part of D = A*B + C: its fragments' elements.
struct product {
  float* d;
  const __nv_bfloat16 *a, *b;
  const float* c;
};

// multiply computes D = A*B + C for the warp, in float (bfloat16 products
// are exact in float), summing k in order.
inline void multiply(void* const* lanes, void*) {
  float A[16][16], B[16][16], C[16][16];
  for (int l = 0; l < 32; l++) {
    const product* p = static_cast<const product*>(lanes[l]);
    for (int e = 0; e < 8; e++) {
      int r, c;
      place(0, l, e, &r, &c);
      A[r][c] = to_float(p->a[e]);
      place(1, l, e, &r, &c);
      B[r][c] = to_float(p->b[e]);
      place(2, l, e, &r, &c);
      C[r][c] = p->c[e];
    }
  }
  float D[16][16];
  for (int i = 0; i < 16; i++) {
    for (int j = 0; j < 16; j++) {
      float s = C[i][j];
      for (int k = 0; k < 16; k++) s += A[i][k] * B[k][j];
      D[i][j] = s;
    }
  }
  for (int l = 0; l < 32; l++) {
    const product* p = static_cast<const product*>(lanes[l]);
    for (int e = 0; e < 8; e++) {
      int r, c;
      place(2, l, e, &r, &c);
      p->d[e] = D[r][c];
    }
  }
}

template <typename Use>
constexpr int use_of() {
  return __is_same(Use, matrix_a) ? 0 : __is_same(Use, matrix_b) ? 1 : 2;
}

}  // namespace detail

template <typename Use, int M, int N, int K, typename T, typename Layout>
inline void fill_fragment(fragment<Use, M, N, K, T, Layout>& f, const T& v) {
  for (int e = 0; e < 8; e++) f.x[e] = v;
}

template <typename Use, typename Layout>
inline void load_matrix_sync(fragment<Use, 16, 16, 16, __nv_bfloat16, Layout>& f, const __nv_bfloat16* p, unsigned ldm,
                             const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  detail::memory m{f.x, p, ldm, __is_same(Layout, col_major)};
  emu::warp_call(emu::Site{"wmma::load_matrix_sync", file, line}, &m,
                 detail::transfer<detail::use_of<Use>(), __nv_bfloat16, false>, (void*)"wmma::load_matrix_sync");
}

inline void load_matrix_sync(fragment<accumulator, 16, 16, 16, float>& f, const float* p, unsigned ldm, layout_t layout,
                             const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  detail::memory m{f.x, p, ldm, layout == mem_col_major};
  emu::warp_call(emu::Site{"wmma::load_matrix_sync", file, line}, &m, detail::transfer<2, float, false>,
                 (void*)"wmma::load_matrix_sync");
}

inline void store_matrix_sync(float* p, const fragment<accumulator, 16, 16, 16, float>& f, unsigned ldm, layout_t layout,
                              const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  detail::memory m{const_cast<float*>(f.x), p, ldm, layout == mem_col_major};
  emu::warp_call(emu::Site{"wmma::store_matrix_sync", file, line}, &m, detail::transfer<2, float, true>,
                 (void*)"wmma::store_matrix_sync");
}

template <typename LA, typename LB>
inline void mma_sync(fragment<accumulator, 16, 16, 16, float>& d,
                     const fragment<matrix_a, 16, 16, 16, __nv_bfloat16, LA>& a,
                     const fragment<matrix_b, 16, 16, 16, __nv_bfloat16, LB>& b,
                     const fragment<accumulator, 16, 16, 16, float>& c, const char* file = __builtin_FILE(),
                     int line = __builtin_LINE()) {
  detail::product p{d.x, a.x, b.x, c.x};
  emu::warp_call(emu::Site{"wmma::mma_sync", file, line}, &p, detail::multiply, nullptr);
}

}  // namespace wmma
}  // namespace nvcuda
