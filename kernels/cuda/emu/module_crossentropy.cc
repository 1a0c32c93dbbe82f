//go:build plateau_cudaemu

// crossentropy.cu on the emulated GPU: the source unchanged, its kernels registered
// under their PTX entry names (every entry names.go lists for module crossentropy).
#include "cuda_emu.h"
#include "../crossentropy.cu"

EMU_KERNEL(crossentropy, crossentropy_lse)
EMU_KERNEL(crossentropy, crossentropy_loss)
EMU_KERNEL(crossentropy, crossentropy_scale)
EMU_KERNEL(crossentropy, crossentropy_backward)
