package cpu

import "sync/atomic"

// sgemmTasksPerThread is how many blocks of C each thread gets on average in
// the parallel GEMM. Handing blocks out one at a time lets a thread that
// another process slows down leave its share to the others, at the cost of
// packing more, smaller blocks.
const sgemmTasksPerThread = 4

// sgemmSharedMax is the largest buffer, in elements, that the parallel GEMM
// allocates for a whole packed operand or for the threads' partial sums of
// C (16 MiB). Bigger products fall back to static bands.
const sgemmSharedMax = 1 << 22

// parallel computes C over p's goroutines, choosing how to split the work:
//
//   - along k when k is the largest dimension (the weight-gradient shape
//     dW = dYᵀX): each thread sums its k slices into a private m x n buffer
//     and the buffers are added into C at the end;
//   - otherwise along m when C has at least as many tile rows as tile
//     columns, else along n: see splitMN.
//
// When the buffers would be too big it falls back to bands.
func (g *sgemmCall) parallel(p *Pool) {
	kern := g.kern
	mt := (g.m + kern.mr - 1) / kern.mr
	nt := (g.n + kern.nr - 1) / kern.nr
	threads := p.Threads()
	slices := (g.k + kern.kc - 1) / kern.kc
	switch {
	case g.k > max(g.m, g.n) && slices >= 2*threads && threads*g.m*g.n <= g.sharedMax:
		g.splitK(p, slices)
	case mt >= nt && nt*kern.nr*g.k <= g.sharedMax:
		g.splitMN(p, true, mt, nt, slices)
	case mt < nt && mt*kern.mr*g.k <= g.sharedMax:
		g.splitMN(p, false, mt, nt, slices)
	default:
		g.bands(p, mt >= nt, mt, nt)
	}
}

// splitK runs the k slices of the product as tasks handed out by a counter.
// Each thread accumulates its slices into its own m x n buffer (the first
// one overwrites it); the buffers of the threads that ran are then summed
// into beta*C in parallel over rows.
func (g *sgemmCall) splitK(p *Pool, slices int) {
	kern := g.kern
	threads := p.Threads()
	mn := g.m * g.n
	sh := getSgemmShared(threads * mn)
	defer sgemmSharedPool.Put(sh)
	used := make([]bool, threads)
	var next atomic.Int64
	p.For(threads, 1, func(th, _, _ int) {
		s := getSgemmScratch()
		defer sgemmScratchPool.Put(s)
		part := sh.buf[th*mn : (th+1)*mn]
		for t := int(next.Add(1)) - 1; t < slices; t = int(next.Add(1)) - 1 {
			k0 := t * kern.kc
			var beta float32 = 1
			if !used[th] {
				beta, used[th] = 0, true
			}
			g.serial(s, part, beta, 0, g.m, 0, g.n, k0, min(k0+kern.kc, g.k))
		}
	})
	var parts [][]float32
	for th, u := range used {
		if u {
			parts = append(parts, sh.buf[th*mn:(th+1)*mn])
		}
	}
	p.For(g.m, max(1, 4096/g.n), func(_, lo, hi int) {
		c := g.c[lo*g.n : hi*g.n]
		scaleInPlace(c, g.beta)
		for _, part := range parts {
			for i, v := range part[lo*g.n : hi*g.n] {
				c[i] += v
			}
		}
	})
}

// splitMN runs blocks of C as tasks handed out by a counter. With byRows the
// threads first pack all of op(B) together into one shared buffer, then take
// blocks of rows of C, packing their own rows of op(A); otherwise the same
// with the roles of A and B, and of rows and columns, exchanged. Packing the
// shared operand once keeps a thread's work independent of how many blocks
// fall to it.
func (g *sgemmCall) splitMN(p *Pool, byRows bool, mt, nt, slices int) {
	kern := g.kern
	threads := p.Threads()
	// The shared operand, slice by slice: slice s (k from s*kc) starts at
	// s*kc*w and holds its micro-panels kcs apart.
	panels, w := nt, nt*kern.nr
	if !byRows {
		panels, w = mt, mt*kern.mr
	}
	sh := getSgemmShared(w * g.k)
	defer sgemmSharedPool.Put(sh)
	shared := sh.buf
	p.For(slices*panels, 4, func(_, lo, hi int) {
		for t := lo; t < hi; t++ {
			sl, q := t/panels, t%panels
			p0 := sl * kern.kc
			kcs := min(kern.kc, g.k-p0)
			if byRows {
				j0 := q * kern.nr
				off := p0*w + j0*kcs
				packB(shared[off:off+kern.nr*kcs], g.b, g.transB, g.ldb, p0, kcs, j0, min(kern.nr, g.n-j0), kern.nr)
			} else {
				i0 := q * kern.mr
				off := p0*w + i0*kcs
				packA(shared[off:off+kern.mr*kcs], g.a, g.transA, g.lda, i0, min(kern.mr, g.m-i0), p0, kcs, kern.mr)
			}
		}
	})

	var next atomic.Int64
	if byRows {
		tiles := taskTiles(mt, threads, kern.mc/kern.mr)
		mb := tiles * kern.mr
		tasks := (mt + tiles - 1) / tiles
		p.For(threads, 1, func(int, int, int) {
			s := getSgemmScratch()
			defer sgemmScratchPool.Put(s)
			s.grow(kern, mb*kern.kc, 0)
			for t := int(next.Add(1)) - 1; t < tasks; t = int(next.Add(1)) - 1 {
				i0 := t * mb
				mc := min(mb, g.m-i0)
				beta := g.beta
				for p0 := 0; p0 < g.k; p0 += kern.kc {
					kcs := min(kern.kc, g.k-p0)
					packA(s.a, g.a, g.transA, g.lda, i0, mc, p0, kcs, kern.mr)
					bs := shared[p0*w : p0*w+w*kcs]
					for jc := 0; jc < g.n; jc += kern.nc {
						g.macro(g.c, s.a, bs[jc*kcs:], s.tile, i0, jc, mc, min(kern.nc, g.n-jc), kcs, beta)
					}
					beta = 1
				}
			}
		})
		return
	}
	tiles := taskTiles(nt, threads, kern.nc/kern.nr)
	nb := tiles * kern.nr
	tasks := (nt + tiles - 1) / tiles
	p.For(threads, 1, func(int, int, int) {
		s := getSgemmScratch()
		defer sgemmScratchPool.Put(s)
		s.grow(kern, 0, nb*kern.kc)
		for t := int(next.Add(1)) - 1; t < tasks; t = int(next.Add(1)) - 1 {
			j0 := t * nb
			nc := min(nb, g.n-j0)
			beta := g.beta
			for p0 := 0; p0 < g.k; p0 += kern.kc {
				kcs := min(kern.kc, g.k-p0)
				packB(s.b, g.b, g.transB, g.ldb, p0, kcs, j0, nc, kern.nr)
				as := shared[p0*w : p0*w+w*kcs]
				for ic := 0; ic < g.m; ic += kern.mc {
					g.macro(g.c, as[ic*kcs:], s.b, s.tile, ic, j0, min(kern.mc, g.m-ic), nc, kcs, beta)
				}
				beta = 1
			}
		}
	})
}

// taskTiles is the number of tiles along the split dimension in one block of
// splitMN: about sgemmTasksPerThread blocks per thread, but never more than
// maxTiles, the cache block.
func taskTiles(tiles, threads, maxTiles int) int {
	per := (tiles + threads*sgemmTasksPerThread - 1) / (threads * sgemmTasksPerThread)
	return max(1, min(per, maxTiles))
}

// bands is the parallel GEMM for products too big for splitK's and
// splitMN's buffers: each thread computes a fixed band of whole tiles of C
// (rows when byRows, else columns) with the serial loop nest and its own
// packing.
func (g *sgemmCall) bands(p *Pool, byRows bool, mt, nt int) {
	kern := g.kern
	if byRows {
		p.For(mt, 1, func(_, lo, hi int) {
			s := getSgemmScratch()
			g.serial(s, g.c, g.beta, lo*kern.mr, min(hi*kern.mr, g.m), 0, g.n, 0, g.k)
			sgemmScratchPool.Put(s)
		})
		return
	}
	p.For(nt, 1, func(_, lo, hi int) {
		s := getSgemmScratch()
		g.serial(s, g.c, g.beta, 0, g.m, lo*kern.nr, min(hi*kern.nr, g.n), 0, g.k)
		sgemmScratchPool.Put(s)
	})
}
