package cuda

// kernel names one PTX entry the device launches.
type kernel int

// The kernels, in the order of kernelSpecs.
const (
	kAdd kernel = iota
	kAxpy
	kToBF16
	kSwiGLUForward
	kSwiGLUBackward
	kEmbeddingForward
	kEmbeddingBackward
	kRMSNormForward
	kRMSNormBackwardDx
	kRMSNormBackwardDwPartial
	kRMSNormBackwardDwSum
	kRoPE
	kRoPEAt
	kCacheWrite
	kAttentionCached
	kAttentionRowDot
	kAttentionForward16
	kAttentionForward32
	kAttentionForward64
	kAttentionForward128
	kAttentionBackwardDq16
	kAttentionBackwardDq32
	kAttentionBackwardDq64
	kAttentionBackwardDq128
	kAttentionBackwardDkDv16
	kAttentionBackwardDkDv32
	kAttentionBackwardDkDv64
	kAttentionBackwardDkDv128
	kAttentionTCForward16
	kAttentionTCForward32
	kAttentionTCForward64
	kAttentionTCForward128
	kAttentionTCBackwardDq16
	kAttentionTCBackwardDq32
	kAttentionTCBackwardDq64
	kAttentionTCBackwardDq128
	kAttentionTCBackwardDkDv16
	kAttentionTCBackwardDkDv32
	kAttentionTCBackwardDkDv64
	kAttentionTCBackwardDkDv128
	kCrossEntropyLSE
	kCrossEntropyLoss
	kCrossEntropyScale
	kCrossEntropyBackward
	kSumSquaresPartial
	kSumSquaresFinish
	kClipScale
	kAdamW
	kLSTMCellForward
	kLSTMCellBackward
	kLSTMBiasGrad
	kLSTMZeroFirst
	numKernels
)

// kernelSpec says where a kernel lives: the PTX module (the .cu file's
// base name) and its entry name.
type kernelSpec struct{ module, entry string }

// kernelSpecs lists every kernel the device looks up at creation. It is the
// one list both the device and the PTX test read.
var kernelSpecs = [numKernels]kernelSpec{
	kAdd:                        {"elementwise", "add"},
	kAxpy:                       {"elementwise", "axpy"},
	kToBF16:                     {"elementwise", "f32_to_bf16"},
	kSwiGLUForward:              {"swiglu", "swiglu_forward"},
	kSwiGLUBackward:             {"swiglu", "swiglu_backward"},
	kEmbeddingForward:           {"embedding", "embedding_forward"},
	kEmbeddingBackward:          {"embedding", "embedding_backward"},
	kRMSNormForward:             {"rmsnorm", "rmsnorm_forward"},
	kRMSNormBackwardDx:          {"rmsnorm", "rmsnorm_backward_dx"},
	kRMSNormBackwardDwPartial:   {"rmsnorm", "rmsnorm_backward_dw_partial"},
	kRMSNormBackwardDwSum:       {"rmsnorm", "rmsnorm_backward_dw_sum"},
	kRoPE:                       {"rope", "rope"},
	kRoPEAt:                     {"rope", "rope_at"},
	kCacheWrite:                 {"attention_cached", "cache_write"},
	kAttentionCached:            {"attention_cached", "attention_cached"},
	kAttentionRowDot:            {"attention", "attention_backward_rowdot"},
	kAttentionForward16:         {"attention", "attention_forward_16"},
	kAttentionForward32:         {"attention", "attention_forward_32"},
	kAttentionForward64:         {"attention", "attention_forward_64"},
	kAttentionForward128:        {"attention", "attention_forward_128"},
	kAttentionBackwardDq16:      {"attention", "attention_backward_dq_16"},
	kAttentionBackwardDq32:      {"attention", "attention_backward_dq_32"},
	kAttentionBackwardDq64:      {"attention", "attention_backward_dq_64"},
	kAttentionBackwardDq128:     {"attention", "attention_backward_dq_128"},
	kAttentionBackwardDkDv16:    {"attention", "attention_backward_dkdv_16"},
	kAttentionBackwardDkDv32:    {"attention", "attention_backward_dkdv_32"},
	kAttentionBackwardDkDv64:    {"attention", "attention_backward_dkdv_64"},
	kAttentionBackwardDkDv128:   {"attention", "attention_backward_dkdv_128"},
	kAttentionTCForward16:       {"attention_tc", "attention_tc_forward_16"},
	kAttentionTCForward32:       {"attention_tc", "attention_tc_forward_32"},
	kAttentionTCForward64:       {"attention_tc", "attention_tc_forward_64"},
	kAttentionTCForward128:      {"attention_tc", "attention_tc_forward_128"},
	kAttentionTCBackwardDq16:    {"attention_tc", "attention_tc_backward_dq_16"},
	kAttentionTCBackwardDq32:    {"attention_tc", "attention_tc_backward_dq_32"},
	kAttentionTCBackwardDq64:    {"attention_tc", "attention_tc_backward_dq_64"},
	kAttentionTCBackwardDq128:   {"attention_tc", "attention_tc_backward_dq_128"},
	kAttentionTCBackwardDkDv16:  {"attention_tc", "attention_tc_backward_dkdv_16"},
	kAttentionTCBackwardDkDv32:  {"attention_tc", "attention_tc_backward_dkdv_32"},
	kAttentionTCBackwardDkDv64:  {"attention_tc", "attention_tc_backward_dkdv_64"},
	kAttentionTCBackwardDkDv128: {"attention_tc", "attention_tc_backward_dkdv_128"},
	kCrossEntropyLSE:            {"crossentropy", "crossentropy_lse"},
	kCrossEntropyLoss:           {"crossentropy", "crossentropy_loss"},
	kCrossEntropyScale:          {"crossentropy", "crossentropy_scale"},
	kCrossEntropyBackward:       {"crossentropy", "crossentropy_backward"},
	kSumSquaresPartial:          {"reduce", "sum_squares_partial"},
	kSumSquaresFinish:           {"reduce", "sum_squares_finish"},
	kClipScale:                  {"reduce", "clip_scale"},
	kAdamW:                      {"adamw", "adamw"},
	kLSTMCellForward:            {"lstm", "lstm_cell_forward"},
	kLSTMCellBackward:           {"lstm", "lstm_cell_backward"},
	kLSTMBiasGrad:               {"lstm", "lstm_bias_grad"},
	kLSTMZeroFirst:              {"lstm", "lstm_zero_first"},
}

// attnVariant is one compiled head-dimension bound of the attention kernels
// (the HD template parameter of attention.cu) with the geometry the launch
// needs: rows is the number of query (or key) rows one block of 128 threads
// covers.
type attnVariant struct {
	maxHD, rows       int
	forward, dq, dkdv kernel
}

// attnVariants are the compiled bounds, smallest first.
var attnVariants = []attnVariant{
	{16, 128, kAttentionForward16, kAttentionBackwardDq16, kAttentionBackwardDkDv16},
	{32, 128, kAttentionForward32, kAttentionBackwardDq32, kAttentionBackwardDkDv32},
	{64, 64, kAttentionForward64, kAttentionBackwardDq64, kAttentionBackwardDkDv64},
	{128, 32, kAttentionForward128, kAttentionBackwardDq128, kAttentionBackwardDkDv128},
}

// tcVariants are the compiled bounds of the tensor-core kernels
// (attention_tc.cu, used in BF16 precision): a block of 128 threads owns 64
// rows for every bound.
var tcVariants = []attnVariant{
	{16, 64, kAttentionTCForward16, kAttentionTCBackwardDq16, kAttentionTCBackwardDkDv16},
	{32, 64, kAttentionTCForward32, kAttentionTCBackwardDq32, kAttentionTCBackwardDkDv32},
	{64, 64, kAttentionTCForward64, kAttentionTCBackwardDq64, kAttentionTCBackwardDkDv64},
	{128, 64, kAttentionTCForward128, kAttentionTCBackwardDq128, kAttentionTCBackwardDkDv128},
}

// attnVariantFor returns the smallest variant that holds head dimension hd.
func attnVariantFor(hd int) (attnVariant, bool) { return variantFor(attnVariants, hd) }

// variantFor returns the smallest of vs that holds head dimension hd.
func variantFor(vs []attnVariant, hd int) (attnVariant, bool) {
	for _, v := range vs {
		if hd <= v.maxHD {
			return v, true
		}
	}
	return attnVariant{}, false
}
