//go:build plateau_cudaemu

// adamw.cu on the emulated GPU: the source unchanged, its kernels registered
// under their PTX entry names (every entry names.go lists for module adamw).
#include "cuda_emu.h"
#include "../adamw.cu"

EMU_KERNEL(adamw, adamw)
