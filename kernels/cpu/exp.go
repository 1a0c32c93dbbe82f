package cpu

import (
	"math"
	"unsafe"
)

// This file holds the row kernels built on a vectorised e^x: the softmax
// exponentials of attention and cross entropy and the sigmoid of SwiGLU,
// with the elementwise work around them (SwiGLU's products, the softmax
// gradient of the attention backward) fused in where that saves a pass. Each
// has a float32 form, which runs in AVX-512 or AVX2 assembly where the CPU
// allows and in plain Go elsewhere; the generic wrappers that the kernels
// call use math.Exp in their float64 instantiation, so that the
// finite-difference tests keep exact arithmetic.
//
// The float32 e^x is accurate to 2 ulp (1 in practice) over the range whose
// result is a normal float32. Its edges, identical in every implementation:
//
//	x < expLo32 (about -87.3365, including -Inf)  -> 0 (no subnormal results)
//	x > expHi32 (about 88.7228, including +Inf)   -> +Inf
//	NaN                                           -> NaN
//
// Every element is computed by the same instructions wherever it lies in a
// slice, so results do not depend on how a caller splits its rows.

// The implementations of the float32 row kernels, narrowest first; expISA
// (per architecture) holds the one in use.
const (
	expGo     = iota // plain Go, one element at a time
	expAVX2          // AVX2 and FMA, eight lanes
	expAVX512        // AVX-512F, sixteen lanes
)

const (
	// expLo32 is the smallest float32 whose e^x is at least the smallest
	// normal float32 (2^-126); smaller arguments give 0.
	expLo32 = float32(-87.33654022216796875)
	// expHi32 is the largest float32 whose e^x is below MaxFloat32; larger
	// arguments give +Inf.
	expHi32 = float32(88.72283172607421875)
)

// exp32 is the scalar float32 e^x of the portable kernels, with the edges
// described above.
func exp32(x float32) float32 {
	switch {
	case x < expLo32:
		return 0
	case x > expHi32:
		return float32(math.Inf(1))
	case x != x:
		return x
	}
	return float32(expApprox(float64(x)))
}

// expSubMulGo is the portable expSubMul32.
func expSubMulGo(dst, src []float32, sub, mul float32) float64 {
	dst = dst[:len(src)]
	var s float64
	for i, x := range src {
		e := mul * exp32(x-sub)
		dst[i] = e
		s += float64(e)
	}
	return s
}

// sigmoid32Go returns 1/(1+e^-x) with the scalar exp32.
func sigmoid32Go(x float32) float32 { return 1 / (1 + exp32(-x)) }

// swigluFwdGo is the portable swigluFwd32, for slices of one length.
func swigluFwdGo(out, gate, up []float32) {
	out, up = out[:len(gate)], up[:len(gate)]
	for i, x := range gate {
		out[i] = x * sigmoid32Go(x) * up[i]
	}
}

// swigluBwdGo is the portable swigluBwd32, for slices of one length.
func swigluBwdGo(dgate, dup, gate, up, dout []float32) {
	n := len(gate)
	dgate, dup, up, dout = dgate[:n], dup[:n], up[:n], dout[:n]
	for i, x := range gate {
		s := sigmoid32Go(x)
		d := dout[i]
		dup[i] = d * (x * s)
		dgate[i] = d * up[i] * (s * (1 + x*(1-s)))
	}
}

// softmaxGradGo is the portable softmaxGrad32, for slices of one length.
func softmaxGradGo(dp, p []float32, d float32) {
	p = p[:len(dp)]
	for i, x := range dp {
		dp[i] = p[i] * (x - d)
	}
}

// maxGo returns the largest element of a non-empty x.
func maxGo(x []float32) float32 {
	m := x[0]
	for _, v := range x[1:] {
		m = max(m, v)
	}
	return m
}

// is32 reports whether T's underlying type is float32.
func is32[T Float]() bool { return unsafe.Sizeof(T(0)) == 4 }

// asF64 views a slice whose element type has float64 as underlying type as a
// []float64 over the same memory.
func asF64[T Float](s []T) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// expSub sets dst[i] = mul * e^(src[i]-sub) for i < len(src) and returns the
// sum of the values written, accumulated in float64 in an order fixed by
// len(src) alone. dst may be src. It is the exponential pass of a softmax
// (sub the row maximum or the log-sum-exp). float32 rounds src[i]-sub to
// float32 first; float64 uses math.Exp.
func expSub[T Float](dst, src []T, sub, mul T) float64 {
	if is32[T]() {
		return expSubMul32(asF32(dst), asF32(src), float32(sub), float32(mul))
	}
	d, s := asF64(dst), asF64(src)
	d = d[:len(s)]
	var sum float64
	for i, x := range s {
		e := float64(mul) * math.Exp(x-float64(sub))
		d[i] = e
		sum += e
	}
	return sum
}

// rowMax returns the largest element of the non-empty x. NaN elements give
// an unspecified result.
func rowMax[T Float](x []T) T {
	if is32[T]() {
		return T(max32(asF32(x)))
	}
	m := x[0]
	for _, v := range x[1:] {
		m = max(m, v)
	}
	return m
}
