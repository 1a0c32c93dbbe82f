//go:build plateau_cudaemu

// elementwise.cu on the emulated GPU: the source unchanged, its kernels registered
// under their PTX entry names (every entry names.go lists for module elementwise).
#include "cuda_emu.h"
#include "../elementwise.cu"

EMU_KERNEL(elementwise, add)
EMU_KERNEL(elementwise, axpy)
EMU_KERNEL(elementwise, f32_to_bf16)
