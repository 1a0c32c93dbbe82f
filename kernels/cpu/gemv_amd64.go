//go:build amd64

package cpu

// sdot4AVX2 sets out[r] = sum_{j<k} a[j]*b[r*ldb+j] for r < 4, for k a
// multiple of 8, with AVX2 and FMA.
//
//go:noescape
func sdot4AVX2(k int, a, b []float32, ldb int, out *[4]float32)

// gemvAVX2 reports whether sdot4 runs the assembly kernel; tests clear it to
// check the Go one.
var gemvAVX2 = hasAVX2FMA()

// sdot4 sets out[r] = a·b[r*ldb : r*ldb+len(a)] for r < 4. b must hold
// 3*ldb+len(a) elements.
func sdot4(a, b []float32, ldb int, out *[4]float32) {
	k := len(a)
	_ = b[3*ldb+k-1]
	if !gemvAVX2 || k < 8 {
		sdot4Go(a, b, ldb, out)
		return
	}
	k8 := k &^ 7
	sdot4AVX2(k8, a, b, ldb, out)
	for j := k8; j < k; j++ {
		for r := range 4 {
			out[r] += a[j] * b[r*ldb+j]
		}
	}
}
