package cpu

import (
	"reflect"
	"unsafe"
)

// workspace is the working memory of one kernel call: per-chunk scratch,
// buffers the chunks share, and the kernels' loop bodies. A pool keeps one
// for the call that holds it, so its memory is reused call after call; a nil
// pool, or a call that finds its pool busy, gets a fresh one that runs its
// loops on the calling goroutine.
type workspace struct {
	crew    *crew // runs the loops; nil: chunk after chunk on the caller
	threads int
	leased  bool // this is the pool's own workspace, held through its mutex

	chunks []chunkScratch       // indexed by chunk
	shared []float32            // a parallel GEMM's shared packed operand or partial sums
	sums   []float64            // per-block partial sums (SumSquares)
	used   []bool               // which threads' partial sums splitK filled
	kept   map[reflect.Type]any // loop bodies by type: see kept
}

// chunkScratch is the working memory of one chunk of a loop.
type chunkScratch struct {
	words []float64    // row-kernel scratch, viewed as []float32 or []float64
	gemm  sgemmScratch // packing space of the GEMMs the chunk runs
}

// newWorkspace returns an empty workspace for loops of up to threads chunks.
func newWorkspace(threads int) *workspace {
	return &workspace{threads: threads, chunks: make([]chunkScratch, threads)}
}

// acquire returns the workspace a kernel call runs in; release it with
// release when the call is done. It is the pool's own one, with its
// workers, unless p is nil or another call holds it.
func (p *Pool) acquire() *workspace {
	if p == nil || !p.mu.TryLock() {
		return newWorkspace(p.Threads())
	}
	if p.ws == nil {
		p.ws = newWorkspace(p.Threads())
		p.ws.leased = true
	}
	p.ws.crew = p.crew
	return p.ws
}

// release ends the use of a workspace from acquire.
func (p *Pool) release(ws *workspace) {
	if ws.leased {
		ws.crew = nil
		p.mu.Unlock()
	}
}

// run runs t over [0, n) with the chunking of Pool.For: at most threads
// chunks of at least grain items, chunk c covering [c*n/chunks,
// (c+1)*n/chunks) and chunk 0 on the calling goroutine.
func (ws *workspace) run(n, grain int, t task) {
	chunks := chunkCount(ws.threads, n, grain)
	if chunks > 1 && ws.crew != nil {
		ws.crew.run(chunks, n, t)
		return
	}
	runChunks(chunks, n, t)
}

// piecesPerThread is how many pieces a claimed loop is cut into per
// thread: enough that a goroutine the OS runs late leaves most of its share
// to the others, few enough that claiming costs nothing next to the work.
const piecesPerThread = 4

// runClaimed runs t over [0, n) cut into pieces of at least grain items,
// up to piecesPerThread per goroutine and as many for each, which the
// caller and the workers claim one at a time until none is left:
// piece i covers [i*n/pieces, (i+1)*n/pieces) and the chunk argument of t is
// the index of the goroutine running it (its scratch). Unlike run, which
// piece a goroutine gets depends on timing, so t's result must not depend
// on the chunk argument. With one thread, t runs once over [0, n).
func (ws *workspace) runClaimed(n, grain int, t task) {
	if n <= 0 {
		return
	}
	most := chunkCount(n, n, grain) // pieces of at least grain items
	goroutines := min(ws.threads, most)
	// A whole number of pieces per goroutine, so that when all start
	// together they finish together.
	pieces := goroutines * min(piecesPerThread, most/goroutines)
	if goroutines > 1 && ws.crew != nil {
		ws.crew.runClaimed(goroutines, pieces, n, t)
		return
	}
	t.run(0, 0, n)
}

// chunk returns the scratch of chunk c.
func (ws *workspace) chunk(c int) *chunkScratch { return &ws.chunks[c] }

// kept returns ws's instance of the loop body K, made on first use. A
// kernel fills it in, runs it and clears it; keeping it in the workspace
// means the pointer that the workers get is not allocated per call.
func kept[K any](ws *workspace) *K {
	key := reflect.TypeFor[K]()
	if k, ok := ws.kept[key].(*K); ok {
		return k
	}
	k := new(K)
	if ws.kept == nil {
		ws.kept = map[reflect.Type]any{}
	}
	ws.kept[key] = k
	return k
}

// parallel runs the loop body args over [0, n) on ws with the chunking of
// Pool.For (workspace.run).
func parallel[K any, PK interface {
	*K
	task
}](ws *workspace, n, grain int, args K) {
	runKept[K, PK](ws, n, grain, args, false)
}

// claimed is parallel with the pieces claimed as goroutines come free
// (workspace.runClaimed).
func claimed[K any, PK interface {
	*K
	task
}](ws *workspace, n, grain int, args K) {
	runKept[K, PK](ws, n, grain, args, true)
}

// runKept runs args over [0, n) through ws's kept instance of its type
// (claimed, or with the fixed chunks of run), which it clears afterwards so
// that the workspace does not hold on to the caller's slices.
func runKept[K any, PK interface {
	*K
	task
}](ws *workspace, n, grain int, args K, claim bool) {
	t := PK(kept[K](ws))
	*t = args
	if claim {
		ws.runClaimed(n, grain, t)
	} else {
		ws.run(n, grain, t)
	}
	var zero K
	*t = zero
}

// parallelOn is parallel in a workspace of p for the duration of the loop.
func parallelOn[K any, PK interface {
	*K
	task
}](p *Pool, n, grain int, args K) {
	if n <= 0 {
		return
	}
	ws := p.acquire()
	defer p.release(ws)
	parallel[K, PK](ws, n, grain, args)
}

// floats returns n elements of T of s's row-kernel scratch, growing it if
// needed; their contents are garbage.
func floats[T Float](s *chunkScratch, n int) []T {
	words := (n*int(unsafe.Sizeof(T(0))) + 7) / 8
	if len(s.words) < words {
		s.words = make([]float64, words)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s.words))), n)
}

// growFloat64 returns s resliced to n elements if it has room for them,
// else a new slice of n.
func growFloat64(s []float64, n int) []float64 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]float64, n)
}
