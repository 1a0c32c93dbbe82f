//go:build !openblas

package cpu

import "sync/atomic"

// sgemmTasksPerThread is how many blocks of C each thread gets on average in
// the parallel GEMM. Handing blocks out one at a time lets a thread that
// another process slows down leave its share to the others, at the cost of
// packing more, smaller blocks.
const sgemmTasksPerThread = 4

// sgemmSharedMax is the largest packed copy of a whole operand, in elements,
// that the parallel GEMM makes. Bigger products fall back to static bands.
const sgemmSharedMax = 1 << 22

// parallel computes C over p's goroutines. When C has at least as many tile
// rows as tile columns, the threads first pack all of op(B) together into one
// shared buffer, then take row blocks of C one at a time from a counter,
// packing their own rows of op(A); otherwise the same with the roles of A
// and B (and of rows and columns) exchanged. Packing the shared operand once
// keeps the work of the threads independent of how blocks fall to them.
func (g *sgemmCall) parallel(p *Pool) {
	kern := g.kern
	mt := (g.m + kern.mr - 1) / kern.mr
	nt := (g.n + kern.nr - 1) / kern.nr
	byRows := mt >= nt
	size := nt * kern.nr * g.k
	if !byRows {
		size = mt * kern.mr * g.k
	}
	if size > sgemmSharedMax {
		g.bands(p, byRows, mt, nt)
		return
	}
	sh := getSgemmShared(size)
	defer sgemmSharedPool.Put(sh)
	shared := sh.buf
	slices := (g.k + kern.kc - 1) / kern.kc
	threads := p.Threads()

	// Phase 1: pack the shared operand, one micro-panel per item; slice s
	// (k from s*kc) starts at s*kc*w and holds its panels kcs apart.
	panels, w := nt, nt*kern.nr
	if !byRows {
		panels, w = mt, mt*kern.mr
	}
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

	// Phase 2: blocks of C, handed out by the counter next.
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
				for p0 := 0; p0 < g.k; p0 += kern.kc {
					kcs := min(kern.kc, g.k-p0)
					packA(s.a, g.a, g.transA, g.lda, i0, mc, p0, kcs, kern.mr)
					bs := shared[p0*w : p0*w+w*kcs]
					for jc := 0; jc < g.n; jc += kern.nc {
						nc := min(kern.nc, g.n-jc)
						g.macro(s.a, bs[jc*kcs:], s.tile, i0, jc, mc, nc, kcs, g.sliceBeta(p0))
					}
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
			for p0 := 0; p0 < g.k; p0 += kern.kc {
				kcs := min(kern.kc, g.k-p0)
				packB(s.b, g.b, g.transB, g.ldb, p0, kcs, j0, nc, kern.nr)
				as := shared[p0*w : p0*w+w*kcs]
				for ic := 0; ic < g.m; ic += kern.mc {
					mc := min(kern.mc, g.m-ic)
					g.macro(as[ic*kcs:], s.b, s.tile, ic, j0, mc, nc, kcs, g.sliceBeta(p0))
				}
			}
		}
	})
}

// taskTiles is the number of tiles along the split dimension in one block of
// the parallel GEMM: about sgemmTasksPerThread blocks per thread, but never
// more than maxTiles, the cache block.
func taskTiles(tiles, threads, maxTiles int) int {
	per := (tiles + threads*sgemmTasksPerThread - 1) / (threads * sgemmTasksPerThread)
	return max(1, min(per, maxTiles))
}

// bands is the parallel GEMM for products whose operands are too big to pack
// whole: each thread computes a fixed band of whole tiles of C (rows when
// byRows, else columns) with the serial loop nest and its own packing.
func (g *sgemmCall) bands(p *Pool, byRows bool, mt, nt int) {
	kern := g.kern
	if byRows {
		p.For(mt, 1, func(_, lo, hi int) {
			s := getSgemmScratch()
			g.serial(s, lo*kern.mr, min(hi*kern.mr, g.m), 0, g.n)
			sgemmScratchPool.Put(s)
		})
		return
	}
	p.For(nt, 1, func(_, lo, hi int) {
		s := getSgemmScratch()
		g.serial(s, 0, g.m, lo*kern.nr, min(hi*kern.nr, g.n))
		sgemmScratchPool.Put(s)
	})
}
