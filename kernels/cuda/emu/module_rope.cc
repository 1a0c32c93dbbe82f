//go:build plateau_cudaemu

// rope.cu on the emulated GPU: the source unchanged, its kernels registered
// under their PTX entry names (every entry names.go lists for module rope).
#include "cuda_emu.h"
#include "../rope.cu"

EMU_KERNEL(rope, rope)
EMU_KERNEL(rope, rope_at)
