//go:build !openblas

package cpu

// kernelFunc is the signature of a float32 GEMM micro-kernel. It computes one
// mr x nr tile C = alpha*A*B + beta*C, where a is a packed micro-panel of A
// (kc steps of mr values: column p of the panel is a[p*mr : p*mr+mr]), b is a
// packed micro-panel of B (kc steps of nr values) and c is the tile's top-left
// element with a row stride of ldc elements. When beta is zero C is written
// without being read.
//
// Preconditions: kc >= 0, len(a) >= kc*mr, len(b) >= kc*nr and
// len(c) >= (mr-1)*ldc+nr. Assembly kernels rely on them without checking.
type kernelFunc func(kc int, a, b, c []float32, ldc int, alpha, beta float32)

// microKernel is a register-blocked micro-kernel together with the cache
// blocking tuned for it: the packed block of A is mc x kc, the packed block of
// B is kc x nc, and both mc and nc are multiples of the tile size.
type microKernel struct {
	name   string
	mr, nr int
	mc, kc int
	nc     int
	fn     kernelFunc
}

// goKernel is the portable micro-kernel, used where no assembly kernel fits
// the CPU. Its 4x4 tile keeps the accumulators in registers on common
// 64-bit targets.
func goKernel() microKernel {
	return microKernel{name: "go4x4", mr: 4, nr: 4, mc: 256, kc: 256, nc: 2048, fn: sgemmKernel4x4Go}
}

// sgemmKernel4x4Go is the kernelFunc of goKernel.
func sgemmKernel4x4Go(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	var c20, c21, c22, c23 float32
	var c30, c31, c32, c33 float32
	a, b = a[:4*kc], b[:4*kc]
	for len(a) >= 4 && len(b) >= 4 {
		a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		a, b = a[4:], b[4:]
	}
	storeRow4(c[0:4], alpha, beta, c00, c01, c02, c03)
	storeRow4(c[ldc:ldc+4], alpha, beta, c10, c11, c12, c13)
	storeRow4(c[2*ldc:2*ldc+4], alpha, beta, c20, c21, c22, c23)
	storeRow4(c[3*ldc:3*ldc+4], alpha, beta, c30, c31, c32, c33)
}

// storeRow4 writes alpha*(v0..v3) + beta*row into row, not reading row when
// beta is zero.
func storeRow4(row []float32, alpha, beta, v0, v1, v2, v3 float32) {
	row = row[:4]
	if beta == 0 {
		row[0], row[1], row[2], row[3] = alpha*v0, alpha*v1, alpha*v2, alpha*v3
		return
	}
	row[0] = alpha*v0 + beta*row[0]
	row[1] = alpha*v1 + beta*row[1]
	row[2] = alpha*v2 + beta*row[2]
	row[3] = alpha*v3 + beta*row[3]
}
