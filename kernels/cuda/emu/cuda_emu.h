// cuda_emu.h: the part of CUDA C++ that plateau's kernels use, for g++. A
// module file (module_*.cc) includes it, then the .cu source unchanged.
//
//   - __global__, __device__, __forceinline__, __launch_bounds__ vanish: a
//     kernel is a plain extern "C" function run once per thread, each thread a
//     fiber (runtime.cc). __launch_bounds__ is checked by the launcher
//     against the .maxntid nvcc wrote into the PTX.
//   - __shared__ is static thread_local: an OS thread runs one block at a
//     time, so every block sees its own copy, as on the GPU.
//   - threadIdx, blockIdx, blockDim and gridDim read the fiber's and the
//     block's state.
//   - __syncthreads and the warp collectives make the fiber wait for the
//     others (runtime.cc checks that they all reach the same one).
//   - The __f*_rn intrinsics are the plain operations: FMA contraction is
//     off in every function compiled after this header (the pragma below;
//     cgo does not accept -ffp-contract in #cgo lines), so a*b+c rounds
//     twice, as the intrinsics promise.
#pragma once
#pragma GCC optimize("fp-contract=off")

#include <math.h>
#include <stdio.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "runtime.h"

// ---------------------------------------------------------------------------
// Qualifiers.

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __restrict__ __restrict
#define __align__(n) __attribute__((aligned(n)))
#define __shared__ static thread_local

// ---------------------------------------------------------------------------
// Built-in types and variables.

using emu::dim3;
using emu::uint3;

struct alignas(8) float2 {
  float x, y;
};
struct alignas(16) float4 {
  float x, y, z, w;
};
struct alignas(8) int2 {
  int x, y;
};
struct alignas(16) int4 {
  int x, y, z, w;
};
struct alignas(8) uint2 {
  unsigned x, y;
};
struct alignas(16) uint4 {
  unsigned x, y, z, w;
};
inline float2 make_float2(float x, float y) { return float2{x, y}; }
inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }
inline int4 make_int4(int x, int y, int z, int w) { return int4{x, y, z, w}; }

#define threadIdx (::emu::current_thread->idx)
#define blockIdx (::emu::current_block->idx)
#define blockDim (::emu::current_block->dim)
#define gridDim (::emu::current_block->grid)
#define warpSize 32

// ---------------------------------------------------------------------------
// Intrinsics and math.

inline unsigned __float_as_uint(float f) { return std::bit_cast<unsigned>(f); }
inline int __float_as_int(float f) { return std::bit_cast<int>(f); }
inline float __uint_as_float(unsigned u) { return std::bit_cast<float>(u); }
inline float __int_as_float(int i) { return std::bit_cast<float>(i); }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return sqrtf(a); }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline float __expf(float a) { return expf(a); }
inline float __logf(float a) { return logf(a); }
inline float rsqrtf(float a) { return 1.0f / sqrtf(a); }
inline float __saturatef(float a) { return a < 0.0f ? 0.0f : (a > 1.0f ? 1.0f : a); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
template <typename T>
inline T __ldg(const T* p) {
  return *p;
}
[[noreturn]] inline void __trap() { emu::fault("__trap()"); }

// CUDA's min and max are overloaded for every arithmetic type; mixed
// arguments take the usual arithmetic conversions.
template <typename A, typename B>
inline typename std::common_type<A, B>::type min(A a, B b) {
  using T = typename std::common_type<A, B>::type;
  return (T)a < (T)b ? (T)a : (T)b;
}
template <typename A, typename B>
inline typename std::common_type<A, B>::type max(A a, B b) {
  using T = typename std::common_type<A, B>::type;
  return (T)a > (T)b ? (T)a : (T)b;
}

// ---------------------------------------------------------------------------
// Barriers and warp collectives.

#define __syncthreads() ::emu::syncthreads(EMU_SITE("__syncthreads"))
#define __syncwarp(...) ::emu::syncwarp(EMU_SITE("__syncwarp") __VA_OPT__(, ) __VA_ARGS__)
#define __shfl_sync(...) ::emu::shfl(EMU_SITE("__shfl_sync"), ::emu::Collective::ShflIdx, __VA_ARGS__)
#define __shfl_xor_sync(...) ::emu::shfl(EMU_SITE("__shfl_xor_sync"), ::emu::Collective::ShflXor, __VA_ARGS__)
#define __shfl_up_sync(...) ::emu::shfl(EMU_SITE("__shfl_up_sync"), ::emu::Collective::ShflUp, __VA_ARGS__)
#define __shfl_down_sync(...) ::emu::shfl(EMU_SITE("__shfl_down_sync"), ::emu::Collective::ShflDown, __VA_ARGS__)
#define __ballot_sync(mask, pred) \
  ((unsigned)::emu::collective(EMU_SITE("__ballot_sync"), ::emu::Collective::Ballot, mask, (pred) != 0, 0, 32))
#define __any_sync(mask, pred) \
  ((int)::emu::collective(EMU_SITE("__any_sync"), ::emu::Collective::Any, mask, (pred) != 0, 0, 32))
#define __all_sync(mask, pred) \
  ((int)::emu::collective(EMU_SITE("__all_sync"), ::emu::Collective::All, mask, (pred) != 0, 0, 32))

namespace emu {

inline void syncwarp(Site s, unsigned mask = 0xffffffffu) { collective(s, Collective::SyncWarp, mask, 0, 0, 32); }

// shfl moves a value of up to 8 bytes between the lanes of a warp.
template <typename T>
inline T shfl(Site s, Collective op, unsigned mask, T v, int arg, int width = 32) {
  static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "shuffled values are at most 8 bytes");
  uint64_t bits = 0;
  memcpy(&bits, &v, sizeof(T));
  bits = collective(s, op, mask, bits, arg, width);
  T out;
  memcpy(&out, &bits, sizeof(T));
  return out;
}

// ---------------------------------------------------------------------------
// Atomics: blocks run in parallel on several OS threads, so these are real
// atomic operations on host memory.

template <typename T>
inline T atomic_update(T* p, T (*f)(T, T), T v) {
  T old = __atomic_load_n(p, __ATOMIC_RELAXED);
  while (!__atomic_compare_exchange_n(p, &old, f(old, v), true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
  return old;
}
inline float atomic_bits(float* p, float v) {
  uint32_t* u = reinterpret_cast<uint32_t*>(p);
  uint32_t old = __atomic_load_n(u, __ATOMIC_RELAXED), next;
  do {
    float f;
    memcpy(&f, &old, 4);
    f += v;
    memcpy(&next, &f, 4);
  } while (!__atomic_compare_exchange_n(u, &old, next, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
  float out;
  memcpy(&out, &old, 4);
  return out;
}

}  // namespace emu

inline int atomicAdd(int* p, int v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
inline unsigned atomicAdd(unsigned* p, unsigned v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) {
  return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}
inline float atomicAdd(float* p, float v) { return emu::atomic_bits(p, v); }
inline int atomicMax(int* p, int v) {
  return emu::atomic_update<int>(p, [](int a, int b) { return a > b ? a : b; }, v);
}
inline int atomicMin(int* p, int v) {
  return emu::atomic_update<int>(p, [](int a, int b) { return a < b ? a : b; }, v);
}
inline int atomicExch(int* p, int v) { return __atomic_exchange_n(p, v, __ATOMIC_RELAXED); }
inline int atomicCAS(int* p, int compare, int v) {
  __atomic_compare_exchange_n(p, &compare, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
  return compare;
}

// ---------------------------------------------------------------------------
// Kernel registration.

namespace emu {

template <typename T>
constexpr char param_kind() {
  return std::is_pointer<T>::value                                 ? kPointer
         : std::is_same<T, float>::value                           ? kFloat
         : std::is_same<T, double>::value                          ? kDouble
         : std::is_integral<T>::value && sizeof(T) == 4            ? kInt32
         : std::is_integral<T>::value && sizeof(T) == 8            ? kInt64
                                                                   : kOther;
}

// Trampoline calls a kernel with its parameters read from the start of
// each 8-byte slot, as the driver reads cuLaunchKernel's parameters.
template <typename... A>
struct Trampoline {
  template <size_t... I>
  static void call(void (*f)(A...), void* const* args, std::index_sequence<I...>) {
    f(*static_cast<const typename std::remove_cv<A>::type*>(args[I])...);
  }
  static void invoke(AnyFn fn, void* const* args) {
    call(reinterpret_cast<void (*)(A...)>(fn), args, std::index_sequence_for<A...>{});
  }
};

struct Registrar {
  template <typename... A>
  Registrar(const char* module, const char* name, void (*f)(A...)) {
    static_assert(sizeof...(A) <= 32, "a kernel takes at most 32 parameters");
    static_assert(((sizeof(A) <= 8 && std::is_trivially_copyable<A>::value) && ...),
                  "every kernel parameter fits an 8-byte slot");
    static const char kinds[] = {param_kind<A>()..., 0};
    register_kernel(module, name, reinterpret_cast<AnyFn>(f), &Trampoline<A...>::invoke, (int)sizeof...(A), kinds);
  }
};

}  // namespace emu

// EMU_KERNEL(module, name) registers the extern "C" kernel `name` of
// module.cu under its PTX entry name.
#define EMU_KERNEL(module, name) static ::emu::Registrar emu_kernel_##name(#module, #name, &name);
