package cpu

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plateau-lab/plateau/internal/race"
)

// testPools are the pools the Pool tests run with, by name; each is made
// fresh by its function so that a test can close it.
var testPools = []struct {
	name string
	make func() *Pool
}{
	{"nil", func() *Pool { return nil }},
	{"zero", func() *Pool { return new(Pool) }},
	{"one", func() *Pool { return NewPool(1) }},
	{"two", func() *Pool { return NewPool(2) }},
	{"three", func() *Pool { return NewPool(3) }},
	{"eight", func() *Pool { return NewPool(8) }},
}

// TestPoolForChunks checks For's contract: at most Threads() chunks of at
// least grain items, chunk c covering [c*n/chunks, (c+1)*n/chunks), every
// item once.
func TestPoolForChunks(t *testing.T) {
	for _, tp := range testPools {
		t.Run(tp.name, func(t *testing.T) {
			p := tp.make()
			defer p.Close()
			for _, n := range []int{0, 1, 2, 5, 100, 1001} {
				for _, grain := range []int{0, 1, 7, 1000} {
					threads := p.Threads()
					got := make([][2]int, threads)
					var calls atomic.Int32
					seen := make([]atomic.Int32, n)
					for i := range got {
						got[i] = [2]int{-1, -1}
					}
					p.For(n, grain, func(c, lo, hi int) {
						calls.Add(1)
						got[c] = [2]int{lo, hi}
						for i := lo; i < hi; i++ {
							seen[i].Add(1)
						}
					})
					chunks := 0
					if n > 0 {
						chunks = min(threads, (n+max(grain, 1)-1)/max(grain, 1))
					}
					if int(calls.Load()) != chunks {
						t.Fatalf("n=%d grain=%d: %d chunks, want %d", n, grain, calls.Load(), chunks)
					}
					for c := range chunks {
						if want := [2]int{c * n / chunks, (c + 1) * n / chunks}; got[c] != want {
							t.Errorf("n=%d grain=%d: chunk %d covers %v, want %v", n, grain, c, got[c], want)
						}
					}
					for i := range seen {
						if v := seen[i].Load(); v != 1 {
							t.Fatalf("n=%d grain=%d: item %d handled %d times", n, grain, i, v)
						}
					}
				}
			}
		})
	}
}

// gemmCase is a float32 product for the Pool tests, big enough for the
// parallel GEMM.
type gemmCase struct {
	m, n, k int
	a, b    []float32
}

func newGemmCase(seed uint64) gemmCase {
	g := gemmCase{m: 300, n: 64, k: 100}
	rng := opRNG(seed)
	g.a, g.b = opRand[float32](rng, g.m*g.k), opRand[float32](rng, g.k*g.n)
	return g
}

// check runs the product on p and compares it bit for bit with the same
// chunks run one after another on the calling goroutine (a pool with p's
// thread count but no workers). The native GEMM gives the same result on
// any pool for this shape; OpenBLAS's depends on how C is cut into bands.
func (g gemmCase) check(p *Pool) error {
	want := make([]float32, g.m*g.n)
	Gemm(&Pool{threads: p.Threads()}, false, false, g.m, g.n, g.k, 1, g.a, g.b, 0, want)
	c := make([]float32, g.m*g.n)
	Gemm(p, false, false, g.m, g.n, g.k, 1, g.a, g.b, 0, c)
	for i := range c {
		if c[i] != want[i] {
			return fmt.Errorf("C[%d] = %v, want %v", i, c[i], want[i])
		}
	}
	return nil
}

// TestPoolConcurrent calls For and kernels that use the pool's scratch from
// many goroutines at once on one pool: each call must give the result it
// gives alone (run with -race).
func TestPoolConcurrent(t *testing.T) {
	p := NewPool(3)
	defer p.Close()
	g := newGemmCase(1)
	s := attnShape{batch: 2, seq: 70, heads: 4, kvHeads: 2, hd: 8}
	rng := opRNG(2)
	rows := s.batch * s.seq
	q := opRand[float32](rng, rows*s.heads*s.hd)
	k := opRand[float32](rng, rows*s.kvHeads*s.hd)
	v := opRand[float32](rng, rows*s.kvHeads*s.hd)
	wantOut, wantLse := make([]float32, len(q)), make([]float32, s.batch*s.heads*s.seq)
	AttentionForward(nil, wantOut, wantLse, q, k, v, s.batch, s.seq, s.heads, s.kvHeads, s.hd)

	const goroutines, rounds = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for w := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums := make([]int, 1000)
			for r := range rounds {
				p.For(len(sums), 1, func(_, lo, hi int) {
					for i := lo; i < hi; i++ {
						sums[i] += i + w
					}
				})
				for i, x := range sums {
					if x != (r+1)*(i+w) {
						errs <- fmt.Errorf("goroutine %d round %d: sums[%d] = %d", w, r, i, x)
						return
					}
				}
				if err := g.check(p); err != nil {
					errs <- err
					return
				}
				out, lse := make([]float32, len(q)), make([]float32, len(wantLse))
				AttentionForward(p, out, lse, q, k, v, s.batch, s.seq, s.heads, s.kvHeads, s.hd)
				for i := range out {
					if out[i] != wantOut[i] {
						errs <- fmt.Errorf("goroutine %d: attention out[%d] = %v, want %v", w, i, out[i], wantOut[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestPoolNested runs For and kernels inside the loop bodies of For, on
// the same pool and on a nil one: they must finish with the right results.
func TestPoolNested(t *testing.T) {
	g := newGemmCase(3)
	for _, tp := range testPools {
		t.Run(tp.name, func(t *testing.T) {
			outer := tp.make()
			defer outer.Close()
			for _, inner := range []*Pool{outer, nil} {
				done := make(chan error, 1)
				go func() {
					const n, m = 6, 50
					var total atomic.Int64
					errs := make([]error, n)
					outer.For(n, 1, func(_, lo, hi int) {
						for i := lo; i < hi; i++ {
							inner.For(m, 1, func(_, lo, hi int) {
								for j := lo; j < hi; j++ {
									total.Add(int64(i*m + j))
								}
							})
							if err := g.check(inner); err != nil {
								errs[i] = err
							}
						}
					})
					if want := int64(n * m * (n*m - 1) / 2); total.Load() != want {
						done <- fmt.Errorf("nested sums add up to %d, want %d", total.Load(), want)
						return
					}
					for _, err := range errs {
						if err != nil {
							done <- err
							return
						}
					}
					done <- nil
				}()
				select {
				case err := <-done:
					if err != nil {
						t.Error(err)
					}
				case <-time.After(time.Minute):
					t.Fatal("nested For did not finish: deadlock")
				}
			}
		})
	}
}

// TestPoolClose checks that Close stops the workers, that it can be called
// twice and on nil and zero pools, and that the pool still works after it.
func TestPoolClose(t *testing.T) {
	before := runtime.NumGoroutine()
	p := NewPool(4)
	sums := make([]int, 100)
	p.For(len(sums), 1, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			sums[i]++
		}
	})
	p.Close()
	p.Close()
	var nilPool *Pool
	nilPool.Close()
	new(Pool).Close()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before NewPool", n, before)
	}
	p.For(len(sums), 1, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			sums[i]++
		}
	})
	for i, x := range sums {
		if x != 2 {
			t.Fatalf("sums[%d] = %d after Close, want 2", i, x)
		}
	}
	if err := newGemmCase(4).check(p); err != nil {
		t.Errorf("GEMM after Close: %v", err)
	}
}

// coverLoop counts how often each item of a claimed loop is run, and
// checks that the chunk argument names a goroutine of the pool.
type coverLoop struct {
	seen    []atomic.Int32
	threads int
	bad     atomic.Bool
}

func (l *coverLoop) run(chunk, lo, hi int) {
	if chunk < 0 || chunk >= l.threads {
		l.bad.Store(true)
	}
	for i := lo; i < hi; i++ {
		l.seen[i].Add(1)
	}
}

// TestRunClaimed checks that a claimed loop runs every item exactly once,
// with chunk arguments below the pool size, for sizes and grains that give
// one piece to many, and from goroutines that share the pool.
func TestRunClaimed(t *testing.T) {
	for _, tp := range testPools {
		t.Run(tp.name, func(t *testing.T) {
			p := tp.make()
			defer p.Close()
			var wg sync.WaitGroup
			for g := range 3 {
				wg.Go(func() {
					for _, n := range []int{0, 1, 3, 17, 1000, 4099} {
						for _, grain := range []int{1, 5, 300} {
							l := &coverLoop{seen: make([]atomic.Int32, n), threads: p.Threads()}
							ws := p.acquire()
							ws.runClaimed(n, grain, l)
							p.release(ws)
							for i := range l.seen {
								if v := l.seen[i].Load(); v != 1 {
									t.Errorf("goroutine %d, n=%d grain=%d: item %d run %d times", g, n, grain, i, v)
									return
								}
							}
							if l.bad.Load() {
								t.Errorf("n=%d grain=%d: a chunk argument outside [0, %d)", n, grain, p.Threads())
							}
						}
					}
				})
			}
			wg.Wait()
		})
	}
}

// countChunk is a loop body that captures nothing, so passing it to For
// allocates nothing.
func countChunk(_, lo, hi int) {}

// TestPoolAllocs runs every kernel, and For, on a pool that has run them
// once: none may allocate.
func TestPoolAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector's instrumentation allocates")
	}
	p := NewPool(3)
	defer p.Close()
	rng := opRNG(5)
	const rows, d, ffn, vocab = 256, 64, 160, 512
	x, w := opRand[float32](rng, rows*d), opRand[float32](rng, d)
	out, dx, dw := make([]float32, rows*d), make([]float32, rows*d), make([]float32, d)
	rstd := make([]float32, rows)
	gate, up := opRand[float32](rng, rows*ffn), opRand[float32](rng, rows*ffn)
	act, dgate, dup := make([]float32, rows*ffn), make([]float32, rows*ffn), make([]float32, rows*ffn)
	logits, dlogits := opRand[float32](rng, rows*vocab), make([]float32, rows*vocab)
	lse := make([]float32, rows)
	targets, ids := make([]int32, rows), make([]int32, rows)
	for i := range targets {
		targets[i], ids[i] = int32(i*7%vocab), int32(i*3%vocab)
	}
	table, dtable := opRand[float32](rng, vocab*d), make([]float32, vocab*d)
	s := attnShape{batch: 2, seq: 128, heads: 4, kvHeads: 2, hd: 16}
	q, k, v := opRand[float32](rng, rows*d), opRand[float32](rng, rows*d/2), opRand[float32](rng, rows*d/2)
	dq, dk, dv, aout := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v)), make([]float32, len(q))
	alse := make([]float32, s.batch*s.heads*s.seq)
	cos, sin := RoPETables(s.seq, s.hd, 10000)
	mom, vel := make([]float32, rows*d), make([]float32, rows*d)
	c := make([]float32, rows*ffn)
	kern := bestSgemmKernel()
	cachePos := []int32{40, 90}
	tests := []struct {
		name string
		fn   func()
	}{
		{"For", func() { p.For(1000, 1, countChunk) }},
		{"Add", func() { Add(p, out, x, x) }},
		{"Axpy", func() { Axpy(p, out, 0.5, x) }},
		{"GemmSerial", func() { Gemm(p, false, false, 16, 16, 16, 1, x, x, 0, c) }},
		{"GemmSplitK", func() { Gemm(p, true, false, d, d, rows*4, 1, logits, logits, 0, c) }},
		{"GemmRows", func() { Gemm(p, false, false, rows, ffn, d, 1, x, gate, 0, c) }},
		{"GemmCols", func() { Gemm(p, false, true, d, rows, ffn, 1, gate, gate, 0, c) }},
		{"GemmBands", func() { sgemmLimited(kern, 0, p, false, false, rows, ffn, d, 1, x, gate, 0, c) }},
		{"RMSNorm", func() {
			RMSNormForward(p, out, rstd, x, w, d, 1e-5)
			RMSNormBackward(p, dx, dw, x, w, rstd, out, d)
		}},
		{"RoPE", func() { RoPE(p, out, x, cos, sin, s.seq, d/s.hd, s.hd, false) }},
		{"Attention", func() {
			AttentionForward(p, aout, alse, q, k, v, s.batch, s.seq, s.heads, s.kvHeads, s.hd)
			AttentionBackward(p, dq, dk, dv, q, k, v, aout, alse, aout, s.batch, s.seq, s.heads, s.kvHeads, s.hd)
		}},
		{"SwiGLU", func() {
			SwiGLUForward(p, act, gate, up)
			SwiGLUBackward(p, dgate, dup, gate, up, act)
		}},
		{"CrossEntropy", func() {
			CrossEntropyForward(p, lse, logits, targets, vocab)
			CrossEntropyBackward(p, dlogits, logits, lse, targets, vocab, 1)
		}},
		{"Embedding", func() {
			EmbeddingForward(p, out, table, ids, d)
			EmbeddingBackward(p, dtable, ids, out, d)
		}},
		{"SumSquares", func() { SumSquares(p, logits) }},
		{"Gemv", func() { Gemv(p, 1, vocab, d, 1, x, table, 0, c) }},
		{"GemvBatch", func() { Gemv(p, 3, vocab, d, 1, x, table, 0.5, c) }},
		{"AttentionCached", func() {
			AttentionCached(p, aout[:2*d], q[:2*d], k, v, cachePos, 1, s.seq, s.heads, s.kvHeads, s.hd)
		}},
		{"AdamW", func() { AdamW(p, out, x, mom, vel, 1, 1e-3, 0.9, 0.999, 1e-8, 0.1, 3) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn()
			if n := testing.AllocsPerRun(20, tc.fn); n != 0 {
				t.Errorf("%v allocations per call, want 0", n)
			}
		})
	}
}
