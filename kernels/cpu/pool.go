// Package cpu holds plateau's pure-Go kernels: the forward and backward of
// every fused op over plain slices, and a cache-blocked GEMM. The functions
// are generic in float32 and float64 so that the finite-difference tests run
// them in float64; the CPU device of package kernels runs them in float32.
package cpu

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Float is the element type the kernels are written for.
type Float interface{ ~float32 | ~float64 }

// Pool splits loops over a fixed set of goroutines: the caller and
// Threads()-1 workers that NewPool starts and Close stops. It also owns the
// working memory of the kernels (per-thread scratch, a parallel GEMM's
// packed operands), so that once a training step has run, the next one
// allocates nothing.
//
// One kernel or For call at a time has the workers and the working memory;
// a call that finds them taken (from another goroutine, or nested inside a
// loop body of the same pool) runs on its own goroutine with the same
// chunks and memory of its own, so concurrent and nested calls are safe and
// never deadlock. The zero value and a nil *Pool run everything on the
// calling goroutine.
type Pool struct {
	threads int

	mu   sync.Mutex // held by the call that uses crew and ws
	crew *crew      // the workers; nil with one thread and after Close
	ws   *workspace // working memory of the call holding mu, made on first use

	cleanup runtime.Cleanup // stops crew if the pool is dropped unclosed
}

// NewPool returns a pool of the given size; threads <= 0 means GOMAXPROCS.
// Its worker goroutines run until Close (or until the pool is garbage).
func NewPool(threads int) *Pool {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	p := &Pool{threads: threads}
	if threads > 1 {
		p.crew = newCrew(threads - 1)
		p.cleanup = runtime.AddCleanup(p, (*crew).stop, p.crew)
	}
	return p
}

// Threads is the number of goroutines For uses at most (1 for a nil pool).
func (p *Pool) Threads() int {
	if p == nil || p.threads < 1 {
		return 1
	}
	return p.threads
}

// Close stops the worker goroutines and waits for them to exit. Later calls
// still work, on the calling goroutine, with the same chunks. Close must not
// be called from inside a loop body of p; closing twice is harmless.
func (p *Pool) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	c := p.crew
	p.crew = nil
	p.mu.Unlock()
	if c != nil {
		p.cleanup.Stop()
		c.stop()
	}
}

// For calls fn over [0, n) cut into at most Threads() contiguous chunks of at
// least grain items each, in parallel, and returns when all are done: with
// chunks pieces, chunk c covers [c*n/chunks, (c+1)*n/chunks), and chunk 0
// runs on the calling goroutine. fn gets the chunk index so it can pick
// per-thread state.
//
// Dispatching to the workers allocates nothing, but fn is handed to other
// goroutines, so a closure that captures variables is allocated by its
// caller; the package's kernels pass preallocated tasks instead.
func (p *Pool) For(n, grain int, fn func(chunk, lo, hi int)) {
	chunks := chunkCount(p.Threads(), n, grain)
	if chunks > 1 && p.mu.TryLock() {
		defer p.mu.Unlock()
		if p.crew != nil {
			p.crew.run(chunks, n, funcTask(fn))
			return
		}
	}
	runChunks(chunks, n, funcTask(fn))
}

// chunkCount is the number of chunks For cuts n items into on threads
// goroutines: as many as the threads, but none smaller than grain items.
func chunkCount(threads, n, grain int) int {
	if n <= 0 {
		return 0
	}
	grain = max(grain, 1)
	return min(threads, (n+grain-1)/grain)
}

// A task is the body of a parallel loop together with its arguments: run
// handles items [lo, hi), which are chunk number chunk of the loop. The
// kernels keep their tasks in the pool's workspace and reuse them, so that
// handing one to the workers allocates nothing.
type task interface {
	run(chunk, lo, hi int)
}

// funcTask is a loop body given as a function.
type funcTask func(chunk, lo, hi int)

func (f funcTask) run(chunk, lo, hi int) { f(chunk, lo, hi) }

// runChunks runs the chunks of a loop of n items one after another on the
// calling goroutine.
func runChunks(chunks, n int, t task) {
	for c := range chunks {
		t.run(c, c*n/chunks, (c+1)*n/chunks)
	}
}

// crew is a pool's worker goroutines. Worker i runs chunk i+1 of each loop;
// the caller runs chunk 0.
//
// Token-by-token decoding runs a few hundred small loops a second per
// token, tens of microseconds each, so how fast a worker starts and how
// fast the caller learns that the workers are done matters as much as the
// work. Both sides therefore spin for a short while (spinWait) on an atomic
// before they block on a channel: back-to-back loops hand over in well under
// a microsecond, while a pool left idle stops using the CPU after spinWait.
type crew struct {
	workers []worker
	pending atomic.Int32 // chunks of the current loop not yet done by workers
	waiting atomic.Bool  // the caller is blocked on done
	done    chan struct{}
	stopped atomic.Bool
	claim   claimLoop      // the loop body of runClaimed
	exited  sync.WaitGroup // workers still running
	once    sync.Once
}

// spinWait is how long a worker spins for its next chunk, and the caller
// for the workers to finish, before blocking: longer than the serial work
// between two decode steps (sampling from 32K logits takes about 60 µs),
// so that the workers stay awake from token to token, and short enough
// that an idle pool costs nothing.
const spinWait = 100 * time.Microsecond

// worker is one worker goroutine's slot: the chunk it is to run, written by
// the caller before it bumps seq. It is padded to whole cache lines so that
// the workers' slots do not share one.
type worker struct {
	seq      atomic.Uint64 // bumped once per chunk handed over
	sleeping atomic.Bool   // the worker is blocked on wake
	wake     chan struct{}
	t        task
	chunk    int
	lo, hi   int
	_        [64]byte
}

// newCrew starts n workers, each waiting on its slot.
func newCrew(n int) *crew {
	c := &crew{workers: make([]worker, n), done: make(chan struct{}, 1)}
	c.exited.Add(n)
	for i := range c.workers {
		w := &c.workers[i]
		w.wake = make(chan struct{}, 1)
		go c.work(w)
	}
	return c
}

// spinUntil calls ready until it reports true or spinWait has passed, and
// returns its last answer.
func spinUntil(ready func() bool) bool {
	var start time.Time
	for i := 0; ; i++ {
		if ready() {
			return true
		}
		if i%64 == 0 {
			if i == 0 {
				start = time.Now()
			} else if time.Since(start) > spinWait {
				return false
			}
		}
		spinPause()
	}
}

// work is a worker's loop: wait for the next chunk in its slot, spinning
// and then blocking, run it, and count it done, until the crew stops.
func (c *crew) work(w *worker) {
	defer c.exited.Done()
	var seen uint64
	fresh := func() bool { return w.seq.Load() != seen }
	for {
		if !spinUntil(fresh) {
			for !fresh() {
				w.sleeping.Store(true)
				if !fresh() {
					<-w.wake
				}
				w.sleeping.Store(false)
			}
		}
		seen = w.seq.Load()
		if c.stopped.Load() {
			return
		}
		w.t.run(w.chunk, w.lo, w.hi)
		w.t = nil
		if c.pending.Add(-1) == 0 && c.waiting.Load() {
			select {
			case c.done <- struct{}{}:
			default:
			}
		}
	}
}

// signal bumps w's sequence number and wakes it if it is blocked. A wake
// token left over from an earlier signal only makes the worker check its
// sequence number once more.
func (w *worker) signal() {
	w.seq.Add(1)
	if w.sleeping.Load() {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// run runs a loop of n items cut into chunks (2 <= chunks <= workers+1),
// chunk c on worker c-1 and chunk 0 on the caller, and returns when all are
// done, also when chunk 0 panics.
func (c *crew) run(chunks, n int, t task) {
	c.pending.Store(int32(chunks - 1))
	defer c.wait()
	for i := 1; i < chunks; i++ {
		w := &c.workers[i-1]
		w.t, w.chunk, w.lo, w.hi = t, i, i*n/chunks, (i+1)*n/chunks
		w.signal()
	}
	t.run(0, 0, n/chunks)
}

// runClaimed runs a loop of n items cut into pieces on goroutines
// goroutines (2 <= goroutines <= workers+1), each claiming the next piece
// until none is left (workspace.runClaimed).
func (c *crew) runClaimed(goroutines, pieces, n int, t task) {
	l := &c.claim
	l.t, l.pieces, l.n = t, pieces, n
	l.next.Store(0)
	c.run(goroutines, goroutines, l)
	l.t = nil
}

// claimLoop is the body each goroutine of a claimed loop runs: claim the
// next piece and run t over it, until none is left.
type claimLoop struct {
	t         task
	pieces, n int
	next      atomic.Int64
}

func (l *claimLoop) run(chunk, _, _ int) {
	for {
		i := int(l.next.Add(1) - 1)
		if i >= l.pieces {
			return
		}
		l.t.run(chunk, i*l.n/l.pieces, (i+1)*l.n/l.pieces)
	}
}

// wait returns once the workers have finished the current loop.
func (c *crew) wait() {
	finished := func() bool { return c.pending.Load() == 0 }
	if spinUntil(finished) {
		return
	}
	for !finished() {
		c.waiting.Store(true)
		if !finished() {
			<-c.done
		}
		c.waiting.Store(false)
	}
}

// stop ends the workers and waits for them to exit.
func (c *crew) stop() {
	c.once.Do(func() {
		c.stopped.Store(true)
		for i := range c.workers {
			c.workers[i].signal()
		}
		c.exited.Wait()
	})
}
