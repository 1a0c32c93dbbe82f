//go:build amd64

package cpu

import "golang.org/x/sys/cpu"

// expISA is the instruction set the float32 row kernels use: the widest
// that the CPU and OS support. Tests lower it to check the others.
var expISA = bestExpISA()

// bestExpISA returns the widest implementation of the row kernels this
// machine runs.
func bestExpISA() int {
	switch {
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasAVX512F:
		return expAVX512
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return expAVX2
	}
	return expGo
}

// expSubMulAVX2 is expSubMul32 in AVX2 assembly.
//
//go:noescape
func expSubMulAVX2(dst, src []float32, sub, mul float32) float64

// expSubMulAVX512 is expSubMul32 in AVX-512 assembly. Its elements are
// those of expSubMulAVX2, bit for bit; its sum adds them in another order.
//
//go:noescape
func expSubMulAVX512(dst, src []float32, sub, mul float32) float64

// swigluFwdAVX2 is swigluFwd32 in AVX2 assembly.
//
//go:noescape
func swigluFwdAVX2(out, gate, up []float32)

// swigluFwdAVX512 is swigluFwd32 in AVX-512 assembly, equal to
// swigluFwdAVX2 bit for bit.
//
//go:noescape
func swigluFwdAVX512(out, gate, up []float32)

// swigluBwdAVX2 is swigluBwd32 in AVX2 assembly.
//
//go:noescape
func swigluBwdAVX2(dgate, dup, gate, up, dout []float32)

// swigluBwdAVX512 is swigluBwd32 in AVX-512 assembly, equal to
// swigluBwdAVX2 bit for bit.
//
//go:noescape
func swigluBwdAVX512(dgate, dup, gate, up, dout []float32)

// softmaxGradAVX2 is softmaxGrad32 in AVX2 assembly.
//
//go:noescape
func softmaxGradAVX2(dp, p []float32, d float32)

// softmaxGradAVX512 is softmaxGrad32 in AVX-512 assembly.
//
//go:noescape
func softmaxGradAVX512(dp, p []float32, d float32)

// maxAVX2 returns the largest element of x, whose length must be a positive
// multiple of 8.
//
//go:noescape
func maxAVX2(x []float32) float32

// expSubMul32 sets dst[i] = mul * e^(src[i]-sub) for i < len(src), with the
// difference rounded to float32, and returns the sum of the values written,
// accumulated in float64 in an order fixed by len(src).
func expSubMul32(dst, src []float32, sub, mul float32) float64 {
	dst = dst[:len(src)]
	switch expISA {
	case expAVX512:
		return expSubMulAVX512(dst, src, sub, mul)
	case expAVX2:
		return expSubMulAVX2(dst, src, sub, mul)
	}
	return expSubMulGo(dst, src, sub, mul)
}

// swigluFwd32 sets out[i] = gate[i]*sigmoid(gate[i])*up[i] for i <
// len(gate); out and up must be at least as long.
func swigluFwd32(out, gate, up []float32) {
	out, up = out[:len(gate)], up[:len(gate)]
	switch expISA {
	case expAVX512:
		swigluFwdAVX512(out, gate, up)
	case expAVX2:
		swigluFwdAVX2(out, gate, up)
	default:
		swigluFwdGo(out, gate, up)
	}
}

// swigluBwd32 sets, for i < len(gate) and with s = sigmoid(gate[i]),
// dup[i] = dout[i]*gate[i]*s and dgate[i] = dout[i]*up[i]*s*(1+gate[i]*(1-s)).
// The other slices must be at least as long as gate.
func swigluBwd32(dgate, dup, gate, up, dout []float32) {
	n := len(gate)
	dgate, dup, up, dout = dgate[:n], dup[:n], up[:n], dout[:n]
	switch expISA {
	case expAVX512:
		swigluBwdAVX512(dgate, dup, gate, up, dout)
	case expAVX2:
		swigluBwdAVX2(dgate, dup, gate, up, dout)
	default:
		swigluBwdGo(dgate, dup, gate, up, dout)
	}
}

// softmaxGrad32 sets dp[i] = p[i]*(dp[i]-d) for i < len(dp); p must be at
// least as long.
func softmaxGrad32(dp, p []float32, d float32) {
	p = p[:len(dp)]
	switch expISA {
	case expAVX512:
		softmaxGradAVX512(dp, p, d)
	case expAVX2:
		softmaxGradAVX2(dp, p, d)
	default:
		softmaxGradGo(dp, p, d)
	}
}

// max32 returns the largest element of the non-empty x.
func max32(x []float32) float32 {
	n := len(x) &^ 7
	if expISA < expAVX2 || n == 0 {
		return maxGo(x)
	}
	m := maxAVX2(x[:n])
	for _, v := range x[n:] {
		m = max(m, v)
	}
	return m
}
