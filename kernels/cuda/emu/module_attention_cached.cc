//go:build plateau_cudaemu

// attention_cached.cu on the emulated GPU: the source unchanged, its kernels registered
// under their PTX entry names (every entry names.go lists for module attention_cached).
#include "cuda_emu.h"
#include "../attention_cached.cu"

EMU_KERNEL(attention_cached, cache_write)
EMU_KERNEL(attention_cached, attention_cached)
