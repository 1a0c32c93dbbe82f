//go:build plateau_cudaemu

// embedding.cu on the emulated GPU: the source unchanged, its kernels registered
// under their PTX entry names (every entry names.go lists for module embedding).
#include "cuda_emu.h"
#include "../embedding.cu"

EMU_KERNEL(embedding, embedding_forward)
EMU_KERNEL(embedding, embedding_backward)
