//go:build plateau_cudaemu

// rmsnorm.cu on the emulated GPU: the source unchanged, its kernels registered
// under their PTX entry names (every entry names.go lists for module rmsnorm).
#include "cuda_emu.h"
#include "../rmsnorm.cu"

EMU_KERNEL(rmsnorm, rmsnorm_forward)
EMU_KERNEL(rmsnorm, rmsnorm_backward_dx)
EMU_KERNEL(rmsnorm, rmsnorm_backward_dw_partial)
EMU_KERNEL(rmsnorm, rmsnorm_backward_dw_sum)
