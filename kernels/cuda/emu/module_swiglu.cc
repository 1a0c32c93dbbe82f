//go:build plateau_cudaemu

// swiglu.cu on the emulated GPU: the source unchanged, its kernels registered
// under their PTX entry names (every entry names.go lists for module swiglu).
#include "cuda_emu.h"
#include "../swiglu.cu"

EMU_KERNEL(swiglu, swiglu_forward)
EMU_KERNEL(swiglu, swiglu_backward)
