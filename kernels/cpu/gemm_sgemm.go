package cpu

// sgemmParallelFlops is the problem size, in floating-point operations, under
// which the float32 GEMM stays on one goroutine: below it, waking a second
// one costs more than it saves.
const sgemmParallelFlops = 1 << 21

// sgemmCall is one GEMM in flight: its operands, their leading dimensions
// and the micro-kernel that computes it. Threads share it read-only; each
// writes its own part of C.
type sgemmCall struct {
	kern           microKernel
	transA, transB bool
	m, n, k        int
	lda, ldb       int
	sharedMax      int // sgemmSharedMax, lowered by tests to reach bands
	alpha, beta    float32
	a, b, c        []float32
}

// newSgemmCall describes the product C = alpha*op(A)*op(B) + beta*C, with C
// cut to m x n; the arguments are those of Gemm.
func newSgemmCall(kern microKernel, sharedMax int, transA, transB bool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) sgemmCall {
	g := sgemmCall{kern: kern, transA: transA, transB: transB, m: m, n: n, k: k,
		lda: k, ldb: n, sharedMax: sharedMax, alpha: alpha, beta: beta, a: a, b: b, c: c[:m*n]}
	if transA {
		g.lda = m
	}
	if transB {
		g.ldb = k
	}
	return g
}

// sgemmWith is sgemm with the micro-kernel given, so tests can run every
// kernel the CPU supports. It has the contract of Gemm.
func sgemmWith(kern microKernel, p *Pool, transA, transB bool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) {
	sgemmLimited(kern, sgemmSharedMax, p, transA, transB, m, n, k, alpha, a, b, beta, c)
}

// sgemmLimited is sgemmWith with the cap on the parallel GEMM's shared
// buffers given, so tests can reach every parallel strategy. The packing
// space and shared buffers come from p's workspace.
func sgemmLimited(kern microKernel, sharedMax int, p *Pool, transA, transB bool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) {
	if m <= 0 || n <= 0 {
		return
	}
	if k <= 0 || alpha == 0 {
		scaleInPlace(c[:m*n], beta)
		return
	}
	ws := p.acquire()
	defer p.release(ws)
	if ws.threads == 1 || 2*m*n*k < sgemmParallelFlops {
		g := newSgemmCall(kern, sharedMax, transA, transB, m, n, k, alpha, a, b, beta, c)
		g.serial(&ws.chunk(0).gemm, g.c, beta, 0, m, 0, n, 0, k)
		return
	}
	g := kept[sgemmCall](ws)
	*g = newSgemmCall(kern, sharedMax, transA, transB, m, n, k, alpha, a, b, beta, c)
	g.parallel(ws)
	*g = sgemmCall{}
}

// sgemmSerialWith is the float32 GEMM on the calling goroutine with the
// packing space s, for kernels that run GEMMs inside their own parallel
// loops. It has the contract of Gemm.
func sgemmSerialWith(kern microKernel, s *sgemmScratch, transA, transB bool, m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) {
	if m <= 0 || n <= 0 {
		return
	}
	if k <= 0 || alpha == 0 {
		scaleInPlace(c[:m*n], beta)
		return
	}
	g := newSgemmCall(kern, sgemmSharedMax, transA, transB, m, n, k, alpha, a, b, beta, c)
	g.serial(s, g.c, beta, 0, m, 0, n, 0, k)
}

// serial computes rows [m0, m1) x columns [n0, n1) of dst = alpha*op(A)*op(B)
// + beta*dst over the k range [k0, k1) on the calling goroutine, where dst is
// m x n like C. The loop order is BLIS's: nc-wide column blocks, kc-deep
// slices of k (B block packed once each), mc-tall row blocks (A block packed
// once each), then the macro-kernel over tiles. s is grown to the blocks
// this range needs.
func (g *sgemmCall) serial(s *sgemmScratch, dst []float32, beta float32, m0, m1, n0, n1, k0, k1 int) {
	kern := g.kern
	g.reserve(s, m1-m0, n1-n0, k1-k0)
	for jc := n0; jc < n1; jc += kern.nc {
		nc := min(kern.nc, n1-jc)
		for pc := k0; pc < k1; pc += kern.kc {
			kc := min(kern.kc, k1-pc)
			sb := beta
			if pc > k0 {
				sb = 1
			}
			packB(s.b, g.b, g.transB, g.ldb, pc, kc, jc, nc, kern.nr)
			for ic := m0; ic < m1; ic += kern.mc {
				mc := min(kern.mc, m1-ic)
				packA(s.a, g.a, g.transA, g.lda, ic, mc, pc, kc, kern.mr)
				g.macro(dst, s.a, s.b, s.tile, ic, jc, mc, nc, kc, sb)
			}
		}
	}
}

// reserve grows s to the packed blocks that serial needs for a range of rows
// x cols of C over depth values of k.
func (g *sgemmCall) reserve(s *sgemmScratch, rows, cols, depth int) {
	kern := g.kern
	depth = min(kern.kc, depth)
	s.grow(kern, roundUp(min(kern.mc, rows), kern.mr)*depth, roundUp(min(kern.nc, cols), kern.nr)*depth)
}

// roundUp returns x rounded up to a multiple of m.
func roundUp(x, m int) int { return (x + m - 1) / m * m }

// macro runs the micro-kernel over every tile of the mc x nc block at
// (ic, jc) of dst, an m x n matrix: C, or a thread's partial sum of it. ap
// holds the block's rows of op(A) packed (packA layout, first panel at 0) and
// bp its columns of op(B) (packB layout), both kc deep. The B micro-panel
// stays in L1 while the A micro-panels stream past it. Edge tiles are
// computed whole into tile and merged, so the kernel never writes outside
// dst.
func (g *sgemmCall) macro(dst, ap, bp, tile []float32, ic, jc, mc, nc, kc int, beta float32) {
	kern := g.kern
	mr, nr := kern.mr, kern.nr
	for jr := 0; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		bpan := bp[jr*kc : (jr+nr)*kc]
		for ir := 0; ir < mc; ir += mr {
			rows := min(mr, mc-ir)
			apan := ap[ir*kc : (ir+mr)*kc]
			off := (ic+ir)*g.n + jc + jr
			if rows == mr && cols == nr {
				kern.fn(kc, apan, bpan, dst[off:], g.n, g.alpha, beta)
				continue
			}
			kern.fn(kc, apan, bpan, tile, nr, 1, 0)
			mergeTile(dst[off:], g.n, tile, nr, rows, cols, g.alpha, beta)
		}
	}
}

// mergeTile writes the top-left rows x cols of the tile t (row stride ldt)
// into the matrix at c (row stride ldc) as alpha*t + beta*c, not reading c
// when beta is zero.
func mergeTile(c []float32, ldc int, t []float32, ldt, rows, cols int, alpha, beta float32) {
	for r := range rows {
		crow := c[r*ldc : r*ldc+cols]
		trow := t[r*ldt : r*ldt+cols]
		if beta == 0 {
			for j, v := range trow {
				crow[j] = alpha * v
			}
			continue
		}
		for j, v := range trow {
			crow[j] = alpha*v + beta*crow[j]
		}
	}
}
