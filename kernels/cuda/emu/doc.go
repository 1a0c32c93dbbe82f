// Package emu is an emulated NVIDIA GPU for plateau's CUDA device: the
// kernels of kernels/cuda (*.cu, unchanged) compiled as host C++ against a
// small CUDA emulation, with a driver API (memory, streams, module loading,
// launches) and cuBLAS's GemmEx on the CPU. Built with -tags
// plateau_cudaemu, kernels/cuda drives it through the same device code as a
// real GPU, so CI runs the CUDA device's tests on every commit.
//
// It proves logic (indexing, barriers, collectives, launches, the arena,
// precision modes), never speed. What it does:
//
//   - Each block runs on one OS thread, its threads as fibers
//     (Boost.Context) in thread order, switched only at __syncthreads and
//     warp collectives (runtime.cc). Blocks run in parallel on Options.Workers
//     threads. __shared__ is static thread_local, so each block sees its own.
//   - A barrier or collective is identified by its source line. A launch
//     fails, naming the kernel, block and thread, when threads of a block
//     reach different __syncthreads in one round, when some reach one after
//     others returned, when lanes of a warp reach different collectives,
//     when a collective's mask leaves out the calling lane or names a lane
//     that has returned or does not exist, and on deadlock (no thread can go
//     on).
//   - Device memory is host memory, one mapping per allocation, 256-byte
//     aligned, filled with a NaN pattern (0x7fbadbad: NaN as a float, an
//     index far out of range as an int) so that reading memory nobody wrote
//     shows. Each allocation is surrounded by a guard zone, checked after
//     every launch that was given a pointer into it (and for all
//     allocations at every Synchronize), and beyond the zone by guard pages:
//     a write into the zone fails the launch naming the kernel; an access
//     to a guard page ends the process after printing the kernel, block and
//     thread (a SIGSEGV handler chained before Go's).
//   - Kernel code is compiled with -fsanitize=alignment, whose reports the
//     emulator handles itself: a misaligned vector load or store fails the
//     launch, as it faults on the GPU. FMA contraction is off
//     (#pragma GCC optimize("fp-contract=off") in cuda_emu.h, since cgo does
//     not accept -ffp-contract in #cgo lines), so a*b+c rounds twice, as the
//     kernels' __f*_rn intrinsics promise.
//   - Launches are checked as cuLaunchKernel checks them and more strictly:
//     at most 1024 threads per block and no more than the kernel's
//     __launch_bounds__ (the .maxntid nvcc wrote into the PTX), the grid
//     limits, the kernel's parameter count, every pointer parameter inside
//     device memory. Loading a module fails when an entry's PTX declares
//     more than 48 KB of static shared memory.
//   - A stream is a queue run in order when the host waits for it
//     (Synchronize, an event, a free): as late as a GPU could run it, so a
//     host buffer reused before its copy ran gives the device the new
//     contents. A fault poisons the context, as on a GPU: every later call
//     returns it.
//   - cublasGemmEx (column-major, leading dimensions, transposes) runs on
//     plateau's CPU GEMM in float32, bfloat16 operands widened and TF32
//     operands rounded to 10 mantissa bits first.
//   - nvcuda::wmma's 16x16x16 bfloat16 fragments (mma.h) are warp
//     collectives with a deliberately scrambled element layout, so that a
//     kernel that depends on the layout fails.
//
// What it does not model: timing, registers, occupancy, caches, bank
// conflicts; concurrency between streams or between host and device; races
// between the threads of a block between barriers (they run one after
// another in thread order, so a missing barrier can go unseen); the
// contents of shared memory at block start (what the OS thread's last block
// left); dynamic shared memory; the GPU's float rounding of expf, logf and
// the like (the host's libm), and the GPU's FMA contraction (nvcc fuses
// a*b+c by default, the emulator never does).
//
// Adding a .cu file: write kernels/cuda/NAME.cu and its entries in
// kernels/cuda/names.go as for the GPU; add kernels/cuda/emu/module_NAME.cc
// with `#include "cuda_emu.h"`, `#include "../NAME.cu"` and one
// EMU_KERNEL(NAME, entry) line per kernel; run go generate ./kernels/cuda
// (the PTX, and emu/sources.go, the sum of the kernel sources the emulator
// checks at start-up, since the go command cannot see that a .cu file a
// C++ file includes has changed). The tests in kernels/cuda say what is
// missing: a kernel without PTX, without an emulated implementation, or an
// emulated kernel names.go does not list. CUDA headers the kernels include
// (mma.h, cuda_bf16.h) are emulated by the files of the same names here.
//
// It needs g++ and Boost.Context (Debian: libboost-context-dev).
package emu
