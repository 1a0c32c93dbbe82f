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

// sgemv1AVX2 sets c[i] = a·b[i*k:(i+1)*k] for i < len(c), for k a positive
// multiple of 8, with AVX2 and FMA.
//
//go:noescape
func sgemv1AVX2(k int, a, b, c []float32)

// saxpy4AVX2 adds w[r]*v[r*ldv : r*ldv+k] for r < 4 to out[:k], for k a
// positive multiple of 8, with AVX2 and FMA.
//
//go:noescape
func saxpy4AVX2(k int, out, v []float32, ldv int, w *[4]float32)

// sgemv1 sets c[i] = a·b[i*k : (i+1)*k] for i < len(c), k = len(a); b must
// hold len(c)*k elements.
func sgemv1(a, b, c []float32) {
	k := len(a)
	_ = b[len(c)*k-1]
	if !gemvAVX2 || k%8 != 0 {
		sgemv1Go(a, b, c)
		return
	}
	sgemv1AVX2(k, a, b, c)
}

// saxpy4 adds w[r]*v[r*ldv : r*ldv+len(out)] for r < 4 to out. v must hold
// 3*ldv+len(out) elements.
func saxpy4(out, v []float32, ldv int, w *[4]float32) {
	k := len(out)
	if k == 0 {
		return
	}
	_ = v[3*ldv+k-1]
	if !gemvAVX2 || k%8 != 0 {
		saxpy4Go(out, v, ldv, w)
		return
	}
	saxpy4AVX2(k, out, v, ldv, w)
}
