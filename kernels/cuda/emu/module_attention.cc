//go:build plateau_cudaemu

// attention.cu on the emulated GPU: the source unchanged, its kernels registered
// under their PTX entry names (every entry names.go lists for module attention).
#include "cuda_emu.h"
#include "../attention.cu"

EMU_KERNEL(attention, attention_backward_rowdot)
EMU_KERNEL(attention, attention_forward_16)
EMU_KERNEL(attention, attention_forward_32)
EMU_KERNEL(attention, attention_forward_64)
EMU_KERNEL(attention, attention_forward_128)
EMU_KERNEL(attention, attention_backward_dq_16)
EMU_KERNEL(attention, attention_backward_dq_32)
EMU_KERNEL(attention, attention_backward_dq_64)
EMU_KERNEL(attention, attention_backward_dq_128)
EMU_KERNEL(attention, attention_backward_dkdv_16)
EMU_KERNEL(attention, attention_backward_dkdv_32)
EMU_KERNEL(attention, attention_backward_dkdv_64)
EMU_KERNEL(attention, attention_backward_dkdv_128)
