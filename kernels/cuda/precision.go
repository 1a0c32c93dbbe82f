package cuda

import "fmt"

// Precision says how the device's GEMMs multiply. Everything else (the fused
// kernels, accumulation, weights, optimizer state) is float32 in every mode.
type Precision int

// The precisions.
const (
	// TF32 multiplies float32 matrices on the tensor cores with 10-bit
	// mantissas and float32 accumulation (CUBLAS_COMPUTE_32F_FAST_TF32):
	// the default, as in PyTorch with allow_tf32.
	TF32 Precision = iota
	// FP32 multiplies in full float32 (CUBLAS_COMPUTE_32F): the reference.
	FP32
	// BF16 rounds both GEMM operands to bfloat16 on the device and
	// multiplies them on the tensor cores with float32 accumulation and a
	// float32 result; master weights, gradients and optimizer state stay
	// float32 (mixed precision, as PyTorch's autocast does for matmuls).
	BF16
)

// String returns the name ParsePrecision accepts.
func (p Precision) String() string {
	switch p {
	case TF32:
		return "tf32"
	case FP32:
		return "fp32"
	case BF16:
		return "bf16"
	}
	return fmt.Sprintf("Precision(%d)", int(p))
}

// ParsePrecision reads "fp32", "tf32" or "bf16"; "" is the default, tf32.
func ParsePrecision(s string) (Precision, error) {
	switch s {
	case "", "tf32":
		return TF32, nil
	case "fp32":
		return FP32, nil
	case "bf16":
		return BF16, nil
	}
	return 0, fmt.Errorf("precision %q: want fp32, tf32 or bf16", s)
}
