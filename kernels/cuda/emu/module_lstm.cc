//go:build plateau_cudaemu

// lstm.cu on the emulated GPU: the source unchanged, its kernels registered
// under their PTX entry names (every entry names.go lists for module lstm).
#include "cuda_emu.h"
#include "../lstm.cu"

EMU_KERNEL(lstm, lstm_cell_forward)
EMU_KERNEL(lstm, lstm_cell_backward)
EMU_KERNEL(lstm, lstm_bias_grad)
EMU_KERNEL(lstm, lstm_zero_first)
