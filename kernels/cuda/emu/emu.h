// The emulator's C API, called from Go (cgo.go).
#ifndef PLATEAU_EMU_H
#define PLATEAU_EMU_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// A worker runs blocks on the calling OS thread; it keeps fiber stacks
// between calls. One worker must not be used by two calls at once.
typedef struct emu_worker emu_worker;
emu_worker* emu_worker_new(void);
void emu_worker_free(emu_worker* w);

// The registered kernels, 0 <= i < emu_kernel_count(): module (the .cu
// file's base name), PTX entry name, number of parameters and their kinds
// (one letter each: p pointer, i 32-bit integer, l 64-bit integer, f float,
// d double, o other).
int emu_kernel_count(void);
void emu_kernel_info(int i, const char** module, const char** name, int* nparams, const char** kinds);

// emu_run_blocks runs blocks first..first+count-1 (linear block numbers,
// x fastest) of a launch of kernel over grid and block with the 8-byte
// parameter slots params. It returns 0, or 1 with the first failure
// described in err.
int emu_run_blocks(emu_worker* w, int kernel, const unsigned* grid, const unsigned* block, const uint64_t* params,
                   int nparams, long long first, long long count, char* err, int errlen);

#ifdef __cplusplus
}
#endif

#endif
