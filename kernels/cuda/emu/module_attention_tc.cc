//go:build plateau_cudaemu

// attention_tc.cu on the emulated GPU: the source unchanged, its kernels registered
// under their PTX entry names (every entry names.go lists for module attention_tc).
#include "cuda_emu.h"
#include "../attention_tc.cu"

EMU_KERNEL(attention_tc, attention_tc_forward_16)
EMU_KERNEL(attention_tc, attention_tc_forward_32)
EMU_KERNEL(attention_tc, attention_tc_forward_64)
EMU_KERNEL(attention_tc, attention_tc_forward_128)
EMU_KERNEL(attention_tc, attention_tc_backward_dq_16)
EMU_KERNEL(attention_tc, attention_tc_backward_dq_32)
EMU_KERNEL(attention_tc, attention_tc_backward_dq_64)
EMU_KERNEL(attention_tc, attention_tc_backward_dq_128)
EMU_KERNEL(attention_tc, attention_tc_backward_dkdv_16)
EMU_KERNEL(attention_tc, attention_tc_backward_dkdv_32)
EMU_KERNEL(attention_tc, attention_tc_backward_dkdv_64)
EMU_KERNEL(attention_tc, attention_tc_backward_dkdv_128)
