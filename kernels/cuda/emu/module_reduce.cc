//go:build plateau_cudaemu

// reduce.cu on the emulated GPU: the source unchanged, its kernels registered
// under their PTX entry names (every entry names.go lists for module reduce).
#include "cuda_emu.h"
#include "../reduce.cu"

EMU_KERNEL(reduce, sum_squares_partial)
EMU_KERNEL(reduce, sum_squares_finish)
EMU_KERNEL(reduce, clip_scale)
