package cpu

// GemvMaxRows is the largest m for which Gemv is the better float32 kernel
// for C = A*B^T: up to that many rows of A, streaming each block of B once
// against every row beats packing B for the blocked GEMM.
const GemvMaxRows = 8

// gemvMinWork is roughly how many multiply-adds one piece of Gemv should
// do, a few microseconds of streaming, so that claiming a piece (one atomic
// add) costs little next to its work while a decode step's products still
// split into several pieces per thread.
const gemvMinWork = 1 << 13

// Gemv computes C = alpha*A*B^T + beta*C for a few rows of A: A is m x k, B
// is n x k (a weight matrix in its [out, in] layout), C is m x n, all
// row-major and dense. It is the GEMM of token-by-token decoding, where m is
// the batch of sequences and each weight is read once per step, so its speed
// is that of streaming B from memory. With one row of A (batch 1) and beta
// zero, B is read row after row as one sequential stream (sgemv1); otherwise
// it is walked in blocks of four rows, each block dotted with every row of A
// while it is in L1. Both run in vector assembly where the CPU allows.
//
// When beta is zero C is overwritten without being read. The blocks of B are
// claimed by p's goroutines as they come free (a goroutine the OS has not
// scheduled yet leaves its share to the others); every element of C is one
// dot product summed by one goroutine in an order fixed by k, so the result
// does not depend on the pool size. Preconditions as for Gemm: len(a) >=
// m*k, len(b) >= n*k, len(c) >= m*n, C overlaps neither A nor B.
func Gemv(p *Pool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) {
	if m <= 0 || n <= 0 {
		return
	}
	if k <= 0 || alpha == 0 {
		scaleInPlace(c[:m*n], beta)
		return
	}
	blocks := (n + 3) / 4
	grain := max(1, gemvMinWork/(4*k*m))
	ws := p.acquire()
	defer p.release(ws)
	claimed(ws, blocks, grain, gemvLoop{m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a[:m*k], b: b[:n*k], c: c[:m*n]})
}

// gemvLoop is the loop of Gemv over blocks of four rows of B.
type gemvLoop struct {
	m, n, k     int
	alpha, beta float32
	a, b, c     []float32
}

func (g *gemvLoop) run(_, lo, hi int) {
	m, n, k := g.m, g.n, g.k
	if m == 1 && g.beta == 0 {
		j0, j1 := 4*lo, min(4*hi, n)
		c := g.c[j0:j1]
		sgemv1(g.a, g.b[j0*k:j1*k], c)
		if g.alpha != 1 {
			for i := range c {
				c[i] *= g.alpha
			}
		}
		return
	}
	var dots [4]float32
	for blk := lo; blk < hi; blk++ {
		j0 := 4 * blk
		rows := min(4, n-j0)
		for i := range m {
			ai := g.a[i*k : (i+1)*k]
			if rows == 4 {
				sdot4(ai, g.b[j0*k:(j0+4)*k], k, &dots)
			} else {
				for r := range rows {
					dots[r] = vecDot(ai, g.b[(j0+r)*k:(j0+r+1)*k])
				}
			}
			ci := g.c[i*n+j0 : i*n+j0+rows]
			for r := range ci {
				if g.beta == 0 {
					ci[r] = g.alpha * dots[r]
				} else {
					ci[r] = g.alpha*dots[r] + g.beta*ci[r]
				}
			}
		}
	}
}

// sgemv1Go sets c[i] = a·b[i*k : (i+1)*k] for i < len(c), k = len(a),
// keeping eight partial sums per row like the vector kernel.
func sgemv1Go(a, b, c []float32) {
	k := len(a)
	for i := range c {
		c[i] = dot8(a, b[i*k:(i+1)*k])
	}
}

// saxpy4Go adds w[r]*v[r*ldv : r*ldv+len(out)] for r < 4 to out, the four
// products added to each element in order.
func saxpy4Go(out, v []float32, ldv int, w *[4]float32) {
	k := len(out)
	v0, v1, v2, v3 := v[:k], v[ldv:ldv+k], v[2*ldv:2*ldv+k], v[3*ldv:3*ldv+k]
	for j := range out {
		out[j] = out[j] + w[0]*v0[j] + w[1]*v1[j] + w[2]*v2[j] + w[3]*v3[j]
	}
}

// sdot4Go sets out[r] = sum_j a[j]*b[r*ldb+j] for r < 4 and j < len(a),
// keeping eight partial sums per row like the vector kernels do.
func sdot4Go(a, b []float32, ldb int, out *[4]float32) {
	k := len(a)
	for r := range 4 {
		out[r] = dot8(a, b[r*ldb:r*ldb+k])
	}
}

// dot8 returns a·b over len(a) elements with eight partial sums, one per
// lane of a vector register, added pairwise at the end.
func dot8(a, b []float32) float32 {
	k := len(a)
	b = b[:k]
	var s [8]float32
	j := 0
	for ; j+8 <= k; j += 8 {
		for l := range 8 {
			s[l] += a[j+l] * b[j+l]
		}
	}
	t := ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
	for ; j < k; j++ {
		t += a[j] * b[j]
	}
	return t
}
