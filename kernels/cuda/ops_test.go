//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/internal/golden"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/kernels/cpu"
)

// Kernel-level comparisons with the CPU device on odd sizes. Kernels that
// do the same float32 operations in the same order must agree bit for bit;
// the others within 1e-5 of the max-norm (float32 sums in another order).

const opTol = 1e-5

func TestElementwise(t *testing.T) {
	p := newPair(t, FP32)
	const n = 100003
	a, b := p.randn(n, 1), p.randn(n, 1)
	sum := p.alloc(n, kernels.F32)
	p.run(func(d kernels.Device, x func(buf) kernels.Buf) { d.Add(x(sum), x(a), x(b)) })
	p.same("add", sum)
	p.run(func(d kernels.Device, x func(buf) kernels.Buf) { d.Axpy(x(sum), -0.37, x(a)) })
	p.near("axpy", sum, opTol) // the CPU may fuse the multiply-add
	p.run(func(d kernels.Device, x func(buf) kernels.Buf) { d.Add(x(a), x(a), x(b)) })
	p.same("add in place", a)
	// Sub-buffers off a 16-byte boundary take the kernels' scalar path.
	p.run(func(d kernels.Device, x func(buf) kernels.Buf) {
		d.Add(x(sum).Slice(1, 999), x(a).Slice(3, 999), x(b).Slice(2, 999))
	})
	p.same("add off 16 bytes", sum)
	p.run(func(d kernels.Device, x func(buf) kernels.Buf) {
		d.Axpy(x(sum).Slice(2, 1001), 0.5, x(a).Slice(1, 1001))
	})
	p.near("axpy off 16 bytes", sum, opTol)
	p.run(func(d kernels.Device, x func(buf) kernels.Buf) { d.Copy(x(sum).Slice(5, 1000), x(b).Slice(17, 1000)) })
	p.same("copy", sum)
	p.run(func(d kernels.Device, x func(buf) kernels.Buf) { d.Zero(x(sum).Slice(3, 777)) })
	p.same("zero", sum)
}

func TestGemm(t *testing.T) {
	for _, prec := range precisions {
		t.Run(prec.String(), func(t *testing.T) {
			p := newPair(t, prec)
			tol := toleranceFor(prec).logits
			for _, s := range []struct{ m, n, k int }{{1, 1, 1}, {37, 53, 29}, {130, 67, 257}, {256, 512, 64}} {
				for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
					a, b := p.randn(s.m*s.k, 1), p.randn(s.k*s.n, 1)
					c := p.randn(s.m*s.n, 1)
					p.run(func(d kernels.Device, x func(buf) kernels.Buf) {
						d.Gemm(tr[0], tr[1], s.m, s.n, s.k, 0.75, x(a), x(b), 0.5, x(c))
					})
					p.near(fmt.Sprintf("gemm %dx%dx%d trans %v", s.m, s.n, s.k, tr), c, tol)
				}
			}
		})
	}
}

func TestEmbedding(t *testing.T) {
	p := newPair(t, FP32)
	const vocab, dim, rows = 1037, 72, 517
	ids := make([]int32, rows)
	for i := range ids {
		ids[i] = int32(p.rng.IntN(vocab))
		if i%5 == 0 {
			ids[i] = 3 // many repeats: the backward's sums per row
		}
	}
	w, id, dout := p.randn(vocab*dim, 1), p.ints(ids), p.randn(rows*dim, 1)
	out, dw := p.alloc(rows*dim, kernels.F32), p.randn(vocab*dim, 1) // dw starts dirty: the kernel zeroes it
	p.run(func(d kernels.Device, x func(buf) kernels.Buf) {
		d.EmbeddingForward(x(out), x(w), x(id), rows, dim)
		d.EmbeddingBackward(x(dw), x(id), x(dout), rows, dim)
	})
	p.same("embedding forward", out)
	p.same("embedding backward", dw) // row order on both devices
}

func TestRMSNorm(t *testing.T) {
	p := newPair(t, FP32)
	for _, s := range []struct{ rows, dim int }{{1, 8}, {333, 96}, {1025, 771}} {
		x, w, dout := p.randn(s.rows*s.dim, 2), p.randn(s.dim, 1), p.randn(s.rows*s.dim, 1)
		out, rstd := p.alloc(s.rows*s.dim, kernels.F32), p.alloc(s.rows, kernels.F32)
		dx, dw := p.alloc(s.rows*s.dim, kernels.F32), p.alloc(s.dim, kernels.F32)
		p.run(func(d kernels.Device, b func(buf) kernels.Buf) {
			d.RMSNormForward(b(out), b(rstd), b(x), b(w), s.rows, s.dim, 1e-5)
			d.RMSNormBackward(b(dx), b(dw), b(x), b(w), b(rstd), b(dout), s.rows, s.dim)
		})
		name := fmt.Sprintf("rmsnorm %dx%d", s.rows, s.dim)
		p.near(name+" out", out, opTol)
		p.near(name+" rstd", rstd, opTol)
		p.near(name+" dx", dx, opTol)
		p.near(name+" dw", dw, opTol)
	}
}

func TestRoPE(t *testing.T) {
	p := newPair(t, FP32)
	const batch, seq, heads, hd = 3, 19, 5, 24
	cs, sn := cpu.RoPETables(seq, hd, 10000)
	cos, sin := p.floats(cs), p.floats(sn)
	rows := batch * seq
	x := p.randn(rows*heads*hd, 1)
	out := p.alloc(rows*heads*hd, kernels.F32)
	p.run(func(d kernels.Device, b func(buf) kernels.Buf) {
		d.RoPE(b(out), b(x), b(cos), b(sin), rows, seq, heads, hd, false)
	})
	p.near("rope", out, opTol)
	p.run(func(d kernels.Device, b func(buf) kernels.Buf) {
		d.RoPE(b(out), b(out), b(cos), b(sin), rows, seq, heads, hd, true) // in place, inverse
	})
	p.near("rope inverse in place", out, opTol)
	g, _ := p.get(out)
	orig, _ := p.get(x)
	for i := range g {
		if d := g[i] - orig[i]; d > 1e-5 || d < -1e-5 {
			t.Fatalf("inverse RoPE does not undo RoPE: element %d is %v, was %v", i, g[i], orig[i])
		}
	}
}

// attnShapes cover every compiled head-dimension bound, head dims below the
// bound (zero padding), GQA, one-token sequences and sequences that are not
// a multiple of any tile.
var attnShapes = []struct{ batch, seq, heads, kvHeads, hd int }{
	{2, 12, 4, 4, 8},
	{1, 1, 2, 1, 16},
	{3, 37, 4, 2, 16},
	{1, 130, 3, 1, 32},
	{2, 65, 2, 2, 40},
	{1, 200, 8, 2, 64},
	{2, 33, 4, 2, 100},
	{1, 70, 2, 1, 128},
}

func TestAttention(t *testing.T) {
	// q, k, v and dout are standard normal, so every output is of order
	// one, except dq and dk of a one-token sequence: exactly zero (a query
	// that sees one key), rounding noise on every device. The norm floor of
	// 1 compares them absolutely at the inputs' scale.
	for _, s := range attnShapes {
		want := attentionOn(t, kernels.NewCPU(2), s.batch, s.seq, s.heads, s.kvHeads, s.hd)
		got := attentionOn(t, openGPU(t, FP32), s.batch, s.seq, s.heads, s.kvHeads, s.hd)
		compareAttention(t, fmt.Sprintf("fp32 %v", s), got, want, attnTolerance{opTol, opTol, opTol, opTol, opTol})
	}
}

// attnTCTolerance bounds the tensor-core kernels against float32
// attention. Their inputs, P and dS are rounded to bfloat16 (unit roundoff
// 2^-8, 3.9e-3) before each product; on the emulated GPU over attnShapes
// the largest errors against the CPU were out 3.5e-3, lse 2.4e-3, dq 8.1e-3,
// dk 6.2e-3, dv 3.4e-3 of the max-norm. The bounds leave a factor of about 3
// (the GPU sums the products in another order).
var attnTCTolerance = attnTolerance{out: 1e-2, lse: 1e-2, dq: 2.5e-2, dk: 2e-2, dv: 1e-2}

// TestAttentionTensorCores runs the bf16 tensor-core kernels (the device's
// attention in BF16 precision) against the float32 kernels of the same
// device and against the CPU.
func TestAttentionTensorCores(t *testing.T) {
	for _, s := range attnShapes {
		cpuOut := attentionOn(t, kernels.NewCPU(2), s.batch, s.seq, s.heads, s.kvHeads, s.hd)
		fp32 := attentionOn(t, openGPU(t, FP32), s.batch, s.seq, s.heads, s.kvHeads, s.hd)
		tc := attentionOn(t, openGPU(t, BF16), s.batch, s.seq, s.heads, s.kvHeads, s.hd)
		compareAttention(t, fmt.Sprintf("bf16 against the CPU %v", s), tc, cpuOut, attnTCTolerance)
		compareAttention(t, fmt.Sprintf("bf16 against fp32 %v", s), tc, fp32, attnTCTolerance)
	}
}

// attnOutputs are out, lse, dq, dk and dv of one attention case.
type attnOutputs [5][]float32

// attnTolerance bounds each output's error relative to its max-norm.
type attnTolerance struct{ out, lse, dq, dk, dv float64 }

// attentionOn runs attention forward and backward on dev with inputs drawn
// from a fixed seed (the same on every device) and closes dev.
func attentionOn(t *testing.T, dev kernels.Device, batch, seq, heads, kvHeads, hd int) attnOutputs {
	t.Helper()
	defer dev.Close()
	r := rand.New(rand.NewPCG(uint64(batch*1000+seq), uint64(heads*100+hd)))
	rows := batch * seq
	nq, nkv, nl := rows*heads*hd, rows*kvHeads*hd, batch*heads*seq
	buf := func(n int) kernels.Buf {
		b, err := dev.Alloc(n, kernels.F32)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	q, k, v, dout := normalBuf(t, dev, r, nq), normalBuf(t, dev, r, nkv), normalBuf(t, dev, r, nkv), normalBuf(t, dev, r, nq)
	out, lse, dq, dk, dv := buf(nq), buf(nl), buf(nq), buf(nkv), buf(nkv)
	dev.AttentionForward(out, lse, q, k, v, batch, seq, heads, kvHeads, hd)
	dev.AttentionBackward(dq, dk, dv, q, k, v, out, lse, dout, batch, seq, heads, kvHeads, hd)
	var res attnOutputs
	for i, b := range []kernels.Buf{out, lse, dq, dk, dv} {
		res[i] = make([]float32, b.N)
		if err := dev.Download(res[i], b); err != nil {
			t.Fatal(err)
		}
	}
	if err := dev.Sync(); err != nil {
		t.Fatal(err)
	}
	return res
}

// normalBuf allocates n float32s on dev holding standard normal draws of r.
func normalBuf(tb testing.TB, dev kernels.Device, r *rand.Rand, n int) kernels.Buf {
	tb.Helper()
	b, err := dev.Alloc(n, kernels.F32)
	if err != nil {
		tb.Fatal(err)
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	if err := dev.Upload(b, v); err != nil {
		tb.Fatal(err)
	}
	return b
}

// compareAttention checks got against want, with the norm floored at 1.
func compareAttention(t *testing.T, name string, got, want attnOutputs, tol attnTolerance) {
	t.Helper()
	for i, what := range []string{"out", "lse", "dq", "dk", "dv"} {
		e := golden.RelMaxErrFloor(got[i], want[i], 1)
		bound := [5]float64{tol.out, tol.lse, tol.dq, tol.dk, tol.dv}[i]
		if testing.Verbose() {
			t.Logf("attention %s %s: %.3g of the max-norm", name, what, e)
		}
		if e > bound {
			t.Errorf("attention %s %s: %.3g of the max-norm (tolerance %.1g)", name, what, e, bound)
		}
	}
}

func TestSwiGLU(t *testing.T) {
	p := newPair(t, FP32)
	const n = 70001
	gate, up, dout := p.randn(n, 4), p.randn(n, 1), p.randn(n, 1)
	out, dg, du := p.alloc(n, kernels.F32), p.alloc(n, kernels.F32), p.alloc(n, kernels.F32)
	p.run(func(d kernels.Device, b func(buf) kernels.Buf) {
		d.SwiGLUForward(b(out), b(gate), b(up))
		d.SwiGLUBackward(b(dg), b(du), b(gate), b(up), b(dout))
	})
	p.near("swiglu out", out, opTol)
	p.near("swiglu dgate", dg, opTol)
	p.near("swiglu dup", du, opTol)
	p.run(func(d kernels.Device, b func(buf) kernels.Buf) { // off 16 bytes: the scalar path
		d.SwiGLUForward(b(out).Slice(1, n-3), b(gate).Slice(2, n-3), b(up).Slice(3, n-3))
		d.SwiGLUBackward(b(dg).Slice(3, n-3), b(du).Slice(1, n-3), b(gate).Slice(2, n-3), b(up), b(dout).Slice(1, n-3))
	})
	p.near("swiglu out off 16 bytes", out, opTol)
	p.near("swiglu dgate off 16 bytes", dg, opTol)
	p.near("swiglu dup off 16 bytes", du, opTol)
}

func TestCrossEntropy(t *testing.T) {
	p := newPair(t, FP32)
	for _, s := range []struct {
		rows, vocab int
		ignore      int // every ignore-th target is -1 (0: none; 1: all)
	}{{1, 7, 0}, {97, 1000, 3}, {300, 8192, 0}, {5, 64, 1}} {
		targets := make([]int32, s.rows)
		for i := range targets {
			targets[i] = int32(p.rng.IntN(s.vocab))
			if s.ignore > 0 && i%s.ignore == 0 {
				targets[i] = -1
			}
		}
		logits, tg := p.randn(s.rows*s.vocab, 3), p.ints(targets)
		dloss := p.floats([]float32{1.5})
		loss, lse, dl := p.alloc(1, kernels.F32), p.alloc(s.rows, kernels.F32), p.randn(s.rows*s.vocab, 1)
		p.run(func(d kernels.Device, b func(buf) kernels.Buf) {
			d.CrossEntropyForward(b(loss), b(lse), b(logits), b(tg), s.rows, s.vocab)
			d.CrossEntropyBackward(b(dl), b(logits), b(lse), b(tg), b(dloss), s.rows, s.vocab)
		})
		name := fmt.Sprintf("cross-entropy %dx%d", s.rows, s.vocab)
		p.near(name+" loss", loss, opTol)
		p.near(name+" lse", lse, opTol)
		p.near(name+" dlogits", dl, opTol)
	}
}

func TestClipAndAdamW(t *testing.T) {
	p := newPair(t, FP32)
	const n = 300007
	g := p.randn(n, 0.5)
	for _, maxNorm := range []float32{0, 1, 1e6} {
		sumsq, scale := p.floats([]float32{2.5}), p.alloc(1, kernels.F32)
		p.run(func(d kernels.Device, b func(buf) kernels.Buf) {
			d.SumSquares(b(sumsq), b(g))
			d.ClipScale(b(scale), b(sumsq), 0.5, maxNorm)
		})
		p.near("sum of squares", sumsq, 1e-6)
		p.near(fmt.Sprintf("clip scale (max norm %v)", maxNorm), scale, 1e-6)
	}
	param, m, v := p.randn(n, 1), p.alloc(n, kernels.F32), p.alloc(n, kernels.F32)
	scale := p.floats([]float32{0.8})
	for step := 1; step <= 3; step++ {
		p.run(func(d kernels.Device, b func(buf) kernels.Buf) {
			d.AdamW(b(param), b(g), b(m), b(v), b(scale), 3e-4, 0.9, 0.95, 1e-8, 0.1, step)
		})
	}
	p.same("adamw param", param) // the same float32 operations in the same order
	p.same("adamw m", m)
	p.same("adamw v", v)
	p.run(func(d kernels.Device, b func(buf) kernels.Buf) { // off 16 bytes: the scalar path
		d.AdamW(b(param).Slice(1, n-1), b(g).Slice(1, n-1), b(m).Slice(1, n-1), b(v).Slice(1, n-1), b(scale), 3e-4, 0.9, 0.95, 1e-8, 0.1, 4)
	})
	p.same("adamw param off 16 bytes", param)
	p.same("adamw m off 16 bytes", m)
}

func TestInferenceKernels(t *testing.T) {
	p := newPair(t, FP32)
	const batch, n, maxSeq, heads, kvHeads, hd = 3, 4, 40, 6, 2, 32
	cs, sn := cpu.RoPETables(maxSeq, hd, 10000)
	cos, sin := p.floats(cs), p.floats(sn)
	pos := make([]int32, batch*n)
	for b := range batch {
		start := []int{0, 9, 35}[b]
		for i := range n {
			pos[b*n+i] = int32(start + i)
		}
	}
	ps := p.ints(pos)
	rows, width := batch*n, kvHeads*hd
	q := p.randn(rows*heads*hd, 1)
	p.run(func(d kernels.Device, b func(buf) kernels.Buf) {
		d.RoPEAt(b(q), b(q), b(cos), b(sin), b(ps), rows, heads, hd)
	})
	p.near("rope at positions", q, opTol)
	kc, vc := p.randn(batch*maxSeq*width, 1), p.randn(batch*maxSeq*width, 1) // earlier positions: prefilled
	k, v := p.randn(rows*width, 1), p.randn(rows*width, 1)
	out := p.alloc(rows*heads*hd, kernels.F32)
	p.run(func(d kernels.Device, b func(buf) kernels.Buf) {
		d.CacheWrite(b(kc), b(k), b(ps), batch, n, maxSeq, width)
		d.CacheWrite(b(vc), b(v), b(ps), batch, n, maxSeq, width)
		d.AttentionCached(b(out), b(q), b(kc), b(vc), b(ps), batch, n, maxSeq, heads, kvHeads, hd)
	})
	p.same("cache write", kc)
	p.near("cached attention", out, opTol)
}

// TestErrors: misuse is reported at Sync, never a crash, and the device keeps
// working after the error has been read.
func TestErrors(t *testing.T) {
	d := openGPU(t, FP32)
	a, err := d.Alloc(10, kernels.F32)
	if err != nil {
		t.Fatal(err)
	}
	d.Add(a.Slice(5, 10), a, a) // past the end of the allocation
	if err := d.Sync(); err == nil || !strings.Contains(err.Error(), "not inside an allocation") {
		t.Errorf("out-of-range buffer: Sync error %v", err)
	}
	q, err := d.Alloc(2*3*200, kernels.F32)
	if err != nil {
		t.Fatal(err)
	}
	d.AttentionForward(q, q, q, q, q, 1, 2, 3, 3, 200)
	if err := d.Sync(); err == nil || !strings.Contains(err.Error(), "head dim 200") {
		t.Errorf("head dim 200: Sync error %v", err)
	}
	if _, err := d.Alloc(1<<50, kernels.F32); err == nil || !strings.Contains(err.Error(), "free of") {
		t.Errorf("huge allocation: error %v, want one naming free and total memory", err)
	}
	if err := d.Upload(a, make([]float32, 3)); err == nil {
		t.Error("upload of the wrong length: no error")
	}
	d.Add(a, a, a)
	if err := d.Sync(); err != nil {
		t.Errorf("after errors were read, a valid call fails: %v", err)
	}
}
