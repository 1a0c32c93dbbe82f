//go:build !amd64

package cpu

// expISA is expGo off amd64: the row kernels run in plain Go. It is a
// variable so that the tests can treat every architecture alike.
var expISA = expGo

// expSubMul32 sets dst[i] = mul * e^(src[i]-sub) for i < len(src), with the
// difference rounded to float32, and returns the sum of the values written,
// accumulated in float64 in an order fixed by len(src).
func expSubMul32(dst, src []float32, sub, mul float32) float64 {
	return expSubMulGo(dst[:len(src)], src, sub, mul)
}

// swigluFwd32 sets out[i] = gate[i]*sigmoid(gate[i])*up[i] for i <
// len(gate); out and up must be at least as long.
func swigluFwd32(out, gate, up []float32) {
	swigluFwdGo(out[:len(gate)], gate, up[:len(gate)])
}

// swigluBwd32 sets, for i < len(gate) and with s = sigmoid(gate[i]),
// dup[i] = dout[i]*gate[i]*s and dgate[i] = dout[i]*up[i]*s*(1+gate[i]*(1-s)).
// The other slices must be at least as long as gate.
func swigluBwd32(dgate, dup, gate, up, dout []float32) {
	n := len(gate)
	swigluBwdGo(dgate[:n], dup[:n], gate, up[:n], dout[:n])
}

// softmaxGrad32 sets dp[i] = p[i]*(dp[i]-d) for i < len(dp); p must be at
// least as long.
func softmaxGrad32(dp, p []float32, d float32) { softmaxGradGo(dp, p[:len(dp)], d) }

// max32 returns the largest element of the non-empty x.
func max32(x []float32) float32 { return maxGo(x) }
