// The emulator's runtime as the CUDA shim (cuda_emu.h) sees it: the state of
// the block and thread being run, and the calls that make a thread wait for
// others (barriers, warp collectives). runtime.cc implements them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace emu {

// uint3 and dim3 are CUDA's types of threadIdx, blockIdx, blockDim, gridDim.
struct uint3 {
  unsigned x, y, z;
};
struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

// Site is a place in the kernel source where threads wait for each other: a
// barrier or a collective is identified by its source line, so threads that
// reach different lines in one round are reported.
struct Site {
  const char* what;  // "__syncthreads", "__shfl_xor_sync", ...
  const char* file;
  int line;
};
#define EMU_SITE(what) (::emu::Site{what, __FILE__, __LINE__})

// ThreadState and BlockState are what the built-in variables read.
struct ThreadState {
  uint3 idx;  // threadIdx
};
struct BlockState {
  uint3 idx;   // blockIdx
  dim3 dim;    // blockDim
  dim3 grid;   // gridDim
};

// The thread and block being run on this OS thread (each OS thread runs one
// block at a time, its threads as fibers). __thread, not thread_local: it
// needs no initialisation, so reading it costs no call.
extern __thread ThreadState* current_thread;
extern __thread BlockState* current_block;

// syncthreads is __syncthreads: it returns when every thread of the block
// has reached the same barrier.
void syncthreads(Site s);

// Warp collectives. Every lane named in mask must reach the same site with
// the same mask; the last one to arrive computes every lane's result.
enum class Collective : int { ShflIdx, ShflXor, ShflUp, ShflDown, Ballot, Any, All, SyncWarp };
uint64_t collective(Site s, Collective op, unsigned mask, uint64_t value, int arg, int width);

// warp_call is a collective of the whole warp (mask 0xffffffff) whose work
// is done by fn, called once with the 32 lanes' payloads when the last lane
// arrives: the warp-wide matrix operations of wmma are built on it.
void warp_call(Site s, void* payload, void (*fn)(void* const* payloads, void* ctx), void* ctx);

// fault stops the kernel with an error (printf-style) naming the kernel,
// block and thread; the launch fails and the context is poisoned.
[[noreturn]] void fault(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Kernel registration: EMU_KERNEL(module, name) in a module's .cc file (see
// module_*.cc) records a kernel with the trampoline that unpacks its
// parameters from cuLaunchKernel-style slots.
enum ParamKind : char { kPointer = 'p', kInt32 = 'i', kInt64 = 'l', kFloat = 'f', kDouble = 'd', kOther = 'o' };
using AnyFn = void (*)();
using Invoke = void (*)(AnyFn fn, void* const* args);
void register_kernel(const char* module, const char* name, AnyFn fn, Invoke invoke, int nparams, const char* kinds);

}  // namespace emu
