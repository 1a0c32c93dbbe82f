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
// the CPU.
func goKernel() microKernel {
	return microKernel{name: "go4x4", mr: 4, nr: 4, mc: 256, kc: 256, nc: 2048, fn: sgemmKernel4x4Go}
}

// sgemmKernel4x4Go is the kernelFunc of goKernel. It computes the 4x4 tile as
// two 2x4 halves, each a pass over k with eight accumulators, so that the
// accumulators and operands fit the sixteen vector registers of amd64
// without spilling.
func sgemmKernel4x4Go(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	a, b = a[:4*kc], b[:4*kc]
	for half := 0; half < 4; half += 2 {
		var c00, c01, c02, c03 float32
		var c10, c11, c12, c13 float32
		for p := 0; p+4 <= len(a) && p+4 <= len(b); p += 4 {
			av, bv := (*[4]float32)(a[p:p+4]), (*[4]float32)(b[p:p+4])
			a0, a1 := av[half], av[half+1]
			b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c03 += a0 * b3
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
			c13 += a1 * b3
		}
		storeRow4(c[half*ldc:half*ldc+4], alpha, beta, c00, c01, c02, c03)
		storeRow4(c[(half+1)*ldc:(half+1)*ldc+4], alpha, beta, c10, c11, c12, c13)
	}
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
