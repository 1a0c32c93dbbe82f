package cpu

// gemmBlockK is the depth of the k blocks of gemmBlocked, small enough for a
// block of op(B) rows to stay in cache while it sweeps a row of C.
const gemmBlockK = 128

// gemmBlocked is the portable GEMM used for float64 (finite-difference tests).
// It has the contract of Gemm. Rows of C are spread over p; each row is
// updated k-block by k-block with axpy-style inner loops over contiguous
// memory, except when B is transposed, where dot products over rows of B are
// the contiguous form.
func gemmBlocked[T Float](p *Pool, transA, transB bool, m, n, k int, alpha T, a, b []T, beta T, c []T) {
	if m <= 0 || n <= 0 {
		return
	}
	grain := 1
	if work := n * max(k, 1); work < 1<<14 {
		grain = (1<<14 + work - 1) / work
	}
	p.For(m, grain, func(_, lo, hi int) {
		scaleInPlace(c[lo*n:hi*n], beta)
		if k == 0 || alpha == 0 {
			return
		}
		for i := lo; i < hi; i++ {
			crow := c[i*n : (i+1)*n]
			for p0 := 0; p0 < k; p0 += gemmBlockK {
				p1 := min(p0+gemmBlockK, k)
				if transB {
					gemmRowDots(transA, m, k, i, p0, p1, alpha, a, b, crow)
				} else {
					gemmRowAxpys(transA, m, k, i, p0, p1, alpha, a, b, crow)
				}
			}
		}
	})
}

// opA returns op(A)[i][p] for an m x k op(A).
func opA[T Float](transA bool, m, k, i, p int, a []T) T {
	if transA {
		return a[p*m+i]
	}
	return a[i*k+p]
}

// gemmRowAxpys adds alpha*sum_{p0<=p<p1} op(A)[i][p]*B[p][:] to crow, with B
// stored k x n.
func gemmRowAxpys[T Float](transA bool, m, k, i, p0, p1 int, alpha T, a, b []T, crow []T) {
	n := len(crow)
	for p := p0; p < p1; p++ {
		s := alpha * opA(transA, m, k, i, p, a)
		brow := b[p*n : (p+1)*n]
		for j, v := range brow {
			crow[j] += s * v
		}
	}
}

// gemmRowDots adds alpha*sum_{p0<=p<p1} op(A)[i][p]*B[j][p] to crow[j], with
// B stored n x k.
func gemmRowDots[T Float](transA bool, m, k, i, p0, p1 int, alpha T, a, b []T, crow []T) {
	for j := range crow {
		brow := b[j*k+p0 : j*k+p1]
		var s T
		if transA {
			for q, v := range brow {
				s += a[(p0+q)*m+i] * v
			}
		} else {
			arow := a[i*k+p0 : i*k+p1]
			for q, v := range brow {
				s += arow[q] * v
			}
		}
		crow[j] += alpha * s
	}
}
