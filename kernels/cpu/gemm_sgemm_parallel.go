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

// parallel computes C over the threads of ws, choosing how to split the
// work:
//
//   - along k when k is the largest dimension (the weight-gradient shape
//     dW = dYᵀX): each thread sums its k slices into a private m x n buffer
//     and the buffers are added into C at the end;
//   - otherwise along m when C has at least as many tile rows as tile
//     columns, else along n: see splitMN.
//
// When the buffers would be too big it falls back to bands. g must be kept
// in ws (the loops' tasks point to it).
func (g *sgemmCall) parallel(ws *workspace) {
	kern := g.kern
	mt := (g.m + kern.mr - 1) / kern.mr
	nt := (g.n + kern.nr - 1) / kern.nr
	threads := ws.threads
	slices := (g.k + kern.kc - 1) / kern.kc
	switch {
	case g.k > max(g.m, g.n) && slices >= 2*threads && threads*g.m*g.n <= g.sharedMax:
		g.splitK(ws, slices)
	case mt >= nt && nt*kern.nr*g.k <= g.sharedMax:
		g.splitMN(ws, true, mt, nt, slices)
	case mt < nt && mt*kern.mr*g.k <= g.sharedMax:
		g.splitMN(ws, false, mt, nt, slices)
	default:
		g.bands(ws, mt >= nt, mt, nt)
	}
}

// splitK cuts the k slices of the product into one contiguous run per
// thread. Each thread accumulates its slices, in order, into its own m x n
// buffer (the first one overwrites it); the buffers are then summed, in
// thread order, into beta*C in parallel over rows. The split is static, not
// handed out by a counter, so the sum's rounding is the same on every run:
// the weight gradients, and so training, are reproducible bit for bit.
func (g *sgemmCall) splitK(ws *workspace, slices int) {
	threads := ws.threads
	mn := g.m * g.n
	ws.shared = growAligned(ws.shared, threads*mn)
	if cap(ws.used) < threads {
		ws.used = make([]bool, threads)
	}
	used := ws.used[:threads]
	clear(used)
	t := kept[sgemmSlices](ws)
	t.g, t.ws, t.parts, t.used, t.slices = g, ws, ws.shared, used, slices
	ws.run(threads, 1, t)
	parallel(ws, g.m, max(1, 4096/g.n), sgemmSumParts{g: g, parts: ws.shared, used: used})
	t.g, t.ws, t.parts, t.used = nil, nil, nil, nil
}

// sgemmSlices is the loop of splitK over threads: thread th sums k slices
// [th*slices/threads, (th+1)*slices/threads) into its m x n part of parts.
type sgemmSlices struct {
	g      *sgemmCall
	ws     *workspace
	parts  []float32
	used   []bool
	slices int
}

func (t *sgemmSlices) run(th, _, _ int) {
	g, kern := t.g, t.g.kern
	s := &t.ws.chunk(th).gemm
	// Grown whether or not slices fall to this thread, so that which thread
	// takes the slices never decides when scratch is allocated.
	g.reserve(s, g.m, g.n, g.k)
	mn := g.m * g.n
	part := t.parts[th*mn : (th+1)*mn]
	threads := len(t.used)
	for sl := th * t.slices / threads; sl < (th+1)*t.slices/threads; sl++ {
		k0 := sl * kern.kc
		var beta float32 = 1
		if !t.used[th] {
			beta, t.used[th] = 0, true
		}
		g.serial(s, part, beta, 0, g.m, 0, g.n, k0, min(k0+kern.kc, g.k))
	}
}

// sgemmSumParts is the loop of splitK over rows of C: C = beta*C plus the
// parts of the threads that ran, in thread order.
type sgemmSumParts struct {
	g     *sgemmCall
	parts []float32
	used  []bool
}

func (t *sgemmSumParts) run(_, lo, hi int) {
	g := t.g
	mn := g.m * g.n
	c := g.c[lo*g.n : hi*g.n]
	scaleInPlace(c, g.beta)
	for th, u := range t.used {
		if !u {
			continue
		}
		for i, v := range t.parts[th*mn+lo*g.n : th*mn+hi*g.n] {
			c[i] += v
		}
	}
}

// splitMN runs blocks of C as tasks handed out by a counter. With byRows the
// threads first pack all of op(B) together into one shared buffer, then take
// blocks of rows of C, packing their own rows of op(A); otherwise the same
// with the roles of A and B, and of rows and columns, exchanged. Packing the
// shared operand once keeps a thread's work independent of how many blocks
// fall to it.
func (g *sgemmCall) splitMN(ws *workspace, byRows bool, mt, nt, slices int) {
	kern := g.kern
	threads := ws.threads
	// The shared operand, slice by slice: slice s (k from s*kc) starts at
	// s*kc*w and holds its micro-panels kcs apart.
	panels, w := nt, nt*kern.nr
	if !byRows {
		panels, w = mt, mt*kern.mr
	}
	ws.shared = growAligned(ws.shared, w*g.k)
	shared := ws.shared
	parallel(ws, slices*panels, 4, sgemmPackShared{g: g, shared: shared, byRows: byRows, panels: panels, w: w})

	t := kept[sgemmBlocks](ws)
	t.g, t.ws, t.shared, t.byRows, t.w = g, ws, shared, byRows, w
	t.next.Store(0)
	if byRows {
		tiles := taskTiles(mt, threads, kern.mc/kern.mr)
		t.size = tiles * kern.mr
		t.tasks = (mt + tiles - 1) / tiles
	} else {
		tiles := taskTiles(nt, threads, kern.nc/kern.nr)
		t.size = tiles * kern.nr
		t.tasks = (nt + tiles - 1) / tiles
	}
	ws.run(threads, 1, t)
	t.g, t.ws, t.shared = nil, nil, nil
}

// sgemmPackShared is the loop of splitMN that packs the shared operand, one
// micro-panel of one k slice per item.
type sgemmPackShared struct {
	g         *sgemmCall
	shared    []float32
	byRows    bool
	panels, w int
}

func (t *sgemmPackShared) run(_, lo, hi int) {
	g, kern := t.g, t.g.kern
	for i := lo; i < hi; i++ {
		sl, q := i/t.panels, i%t.panels
		p0 := sl * kern.kc
		kcs := min(kern.kc, g.k-p0)
		if t.byRows {
			j0 := q * kern.nr
			off := p0*t.w + j0*kcs
			packB(t.shared[off:off+kern.nr*kcs], g.b, g.transB, g.ldb, p0, kcs, j0, min(kern.nr, g.n-j0), kern.nr)
		} else {
			i0 := q * kern.mr
			off := p0*t.w + i0*kcs
			packA(t.shared[off:off+kern.mr*kcs], g.a, g.transA, g.lda, i0, min(kern.mr, g.m-i0), p0, kcs, kern.mr)
		}
	}
}

// sgemmBlocks is the loop of splitMN over threads: each takes blocks of
// size rows (byRows) or columns of C from the counter and computes them
// against the shared operand, packing its own part of the other one.
type sgemmBlocks struct {
	g           *sgemmCall
	ws          *workspace
	shared      []float32
	byRows      bool
	w           int
	size, tasks int
	next        atomic.Int64
}

func (t *sgemmBlocks) run(th, _, _ int) {
	g, kern := t.g, t.g.kern
	s := &t.ws.chunk(th).gemm
	w := t.w
	if t.byRows {
		s.grow(kern, t.size*kern.kc, 0)
		for task := int(t.next.Add(1)) - 1; task < t.tasks; task = int(t.next.Add(1)) - 1 {
			i0 := task * t.size
			mc := min(t.size, g.m-i0)
			beta := g.beta
			for p0 := 0; p0 < g.k; p0 += kern.kc {
				kcs := min(kern.kc, g.k-p0)
				packA(s.a, g.a, g.transA, g.lda, i0, mc, p0, kcs, kern.mr)
				bs := t.shared[p0*w : p0*w+w*kcs]
				for jc := 0; jc < g.n; jc += kern.nc {
					g.macro(g.c, s.a, bs[jc*kcs:], s.tile, i0, jc, mc, min(kern.nc, g.n-jc), kcs, beta)
				}
				beta = 1
			}
		}
		return
	}
	s.grow(kern, 0, t.size*kern.kc)
	for task := int(t.next.Add(1)) - 1; task < t.tasks; task = int(t.next.Add(1)) - 1 {
		j0 := task * t.size
		nc := min(t.size, g.n-j0)
		beta := g.beta
		for p0 := 0; p0 < g.k; p0 += kern.kc {
			kcs := min(kern.kc, g.k-p0)
			packB(s.b, g.b, g.transB, g.ldb, p0, kcs, j0, nc, kern.nr)
			as := t.shared[p0*w : p0*w+w*kcs]
			for ic := 0; ic < g.m; ic += kern.mc {
				g.macro(g.c, as[ic*kcs:], s.b, s.tile, ic, j0, min(kern.mc, g.m-ic), nc, kcs, beta)
			}
			beta = 1
		}
	}
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
func (g *sgemmCall) bands(ws *workspace, byRows bool, mt, nt int) {
	if byRows {
		parallel(ws, mt, 1, sgemmBands{g: g, ws: ws, byRows: true})
		return
	}
	parallel(ws, nt, 1, sgemmBands{g: g, ws: ws})
}

// sgemmBands is the loop of bands over tile rows (byRows) or tile columns
// of C.
type sgemmBands struct {
	g      *sgemmCall
	ws     *workspace
	byRows bool
}

func (t *sgemmBands) run(chunk, lo, hi int) {
	g, kern := t.g, t.g.kern
	s := &t.ws.chunk(chunk).gemm
	if t.byRows {
		g.serial(s, g.c, g.beta, lo*kern.mr, min(hi*kern.mr, g.m), 0, g.n, 0, g.k)
		return
	}
	g.serial(s, g.c, g.beta, 0, g.m, lo*kern.nr, min(hi*kern.nr, g.n), 0, g.k)
}
