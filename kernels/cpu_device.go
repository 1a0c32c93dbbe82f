package kernels

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/plateau-lab/plateau/kernels/cpu"
)

// CPU is the host Device: buffers are Go slices, kernels are package cpu's
// pure-Go functions (GEMMs through OpenBLAS under the build tag openblas),
// split over a fixed number of goroutines.
type CPU struct {
	pool *cpu.Pool
	f32  map[int][]float32
	i32  map[int][]int32
	next int
	err  error
}

// NewCPU returns a CPU device running on threads goroutines (<= 0: all cores).
func NewCPU(threads int) *CPU {
	return &CPU{pool: cpu.NewPool(threads), f32: map[int][]float32{}, i32: map[int][]int32{}}
}

// Name says what the device is.
func (d *CPU) Name() string {
	return fmt.Sprintf("cpu (%d threads, GEMM: %s)", d.pool.Threads(), gemmBackend)
}

// Alloc returns a zeroed buffer; it refuses an allocation larger than the
// memory the host has available, so an oversized batch is an error, not a
// crash.
func (d *CPU) Alloc(n int, dt DType) (Buf, error) {
	if n < 0 {
		return Buf{}, fmt.Errorf("alloc: negative size %d", n)
	}
	if avail, ok := availableMemory(); ok && uint64(n)*4 > avail {
		return Buf{}, fmt.Errorf("alloc %s: %d elements need %.2f GiB, %.2f GiB of host memory available",
			dt, n, float64(n)*4/(1<<30), float64(avail)/(1<<30))
	}
	d.next++
	switch dt {
	case F32:
		d.f32[d.next] = make([]float32, n)
	case I32:
		d.i32[d.next] = make([]int32, n)
	default:
		return Buf{}, fmt.Errorf("alloc: unknown dtype %d", dt)
	}
	return Buf{mem: d.next, N: n, DT: dt}, nil
}

// availableMemory reads MemAvailable from /proc/meminfo (Linux only).
func availableMemory() (uint64, bool) {
	if runtime.GOOS != "linux" {
		return 0, false
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseUint(fields[1], 10, 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}

// Free drops the allocation b belongs to.
func (d *CPU) Free(b Buf) {
	delete(d.f32, b.mem)
	delete(d.i32, b.mem)
}

// f returns the float32 slice b names.
func (d *CPU) f(b Buf) []float32 { return d.f32[b.mem][b.Off : b.Off+b.N] }

// i returns the int32 slice b names.
func (d *CPU) i(b Buf) []int32 { return d.i32[b.mem][b.Off : b.Off+b.N] }

// Upload copies src into dst.
func (d *CPU) Upload(dst Buf, src []float32) error {
	if dst.DT != F32 || len(src) != dst.N {
		return fmt.Errorf("upload: %d float32 values into a %s buffer of %d", len(src), dst.DT, dst.N)
	}
	copy(d.f(dst), src)
	return nil
}

// UploadInt32 copies src into dst.
func (d *CPU) UploadInt32(dst Buf, src []int32) error {
	if dst.DT != I32 || len(src) != dst.N {
		return fmt.Errorf("upload: %d int32 values into a %s buffer of %d", len(src), dst.DT, dst.N)
	}
	copy(d.i(dst), src)
	return nil
}

// Download copies src into dst.
func (d *CPU) Download(dst []float32, src Buf) error {
	if src.DT != F32 || len(dst) != src.N {
		return fmt.Errorf("download: a %s buffer of %d into %d float32 values", src.DT, src.N, len(dst))
	}
	copy(dst, d.f(src))
	return nil
}

// Sync returns the first error since the last Sync; CPU kernels run
// synchronously, so there is nothing to wait for.
func (d *CPU) Sync() error {
	err := d.err
	d.err = nil
	return err
}

// Close drops every allocation and stops the device's worker goroutines.
func (d *CPU) Close() error {
	d.f32, d.i32 = map[int][]float32{}, map[int][]int32{}
	d.pool.Close()
	return nil
}

// Zero sets b to 0.
func (d *CPU) Zero(b Buf) {
	if b.DT == I32 {
		clear(d.i(b))
		return
	}
	clear(d.f(b))
}

// Copy sets dst = src.
func (d *CPU) Copy(dst, src Buf) { copy(d.f(dst), d.f(src)) }

// Add sets dst = a + b.
func (d *CPU) Add(dst, a, b Buf) { cpu.Add(d.pool, d.f(dst), d.f(a), d.f(b)) }

// Axpy sets dst += alpha*x.
func (d *CPU) Axpy(dst Buf, alpha float32, x Buf) { cpu.Axpy(d.pool, d.f(dst), alpha, d.f(x)) }

// Gemm sets C = alpha*op(A)*op(B) + beta*C. A product of a few rows by a
// transposed weight (token-by-token decoding) goes to the GEMV kernel.
func (d *CPU) Gemm(transA, transB bool, m, n, k int, alpha float32, a, b Buf, beta float32, c Buf) {
	if !transA && transB && m <= cpu.GemvMaxRows {
		cpu.Gemv(d.pool, m, n, k, alpha, d.f(a), d.f(b), beta, d.f(c))
		return
	}
	cpu.Gemm(d.pool, transA, transB, m, n, k, alpha, d.f(a), d.f(b), beta, d.f(c))
}

// EmbeddingForward gathers rows of w.
func (d *CPU) EmbeddingForward(out, w, ids Buf, rows, dim int) {
	cpu.EmbeddingForward(d.pool, d.f(out), d.f(w), d.i(ids), dim)
}

// EmbeddingBackward scatters dout into dw.
func (d *CPU) EmbeddingBackward(dw, ids, dout Buf, rows, dim int) {
	cpu.EmbeddingBackward(d.pool, d.f(dw), d.i(ids), d.f(dout), dim)
}

// RMSNormForward normalises rows of x.
func (d *CPU) RMSNormForward(out, rstd, x, w Buf, rows, dim int, eps float32) {
	cpu.RMSNormForward(d.pool, d.f(out), d.f(rstd), d.f(x), d.f(w), dim, eps)
}

// RMSNormBackward computes dx and dw.
func (d *CPU) RMSNormBackward(dx, dw, x, w, rstd, dout Buf, rows, dim int) {
	cpu.RMSNormBackward(d.pool, d.f(dx), d.f(dw), d.f(x), d.f(w), d.f(rstd), d.f(dout), dim)
}

// RoPE rotates the heads of x.
func (d *CPU) RoPE(out, x, cos, sin Buf, rows, seq, heads, hd int, inverse bool) {
	cpu.RoPE(d.pool, d.f(out), d.f(x), d.f(cos), d.f(sin), seq, heads, hd, inverse)
}

// AttentionForward runs causal GQA attention.
func (d *CPU) AttentionForward(out, lse, q, k, v Buf, batch, seq, heads, kvHeads, hd int) {
	cpu.AttentionForward(d.pool, d.f(out), d.f(lse), d.f(q), d.f(k), d.f(v), batch, seq, heads, kvHeads, hd)
}

// AttentionBackward computes dq, dk and dv.
func (d *CPU) AttentionBackward(dq, dk, dv, q, k, v, out, lse, dout Buf, batch, seq, heads, kvHeads, hd int) {
	cpu.AttentionBackward(d.pool, d.f(dq), d.f(dk), d.f(dv), d.f(q), d.f(k), d.f(v), d.f(out), d.f(lse), d.f(dout),
		batch, seq, heads, kvHeads, hd)
}

// SwiGLUForward sets out = silu(gate)*up.
func (d *CPU) SwiGLUForward(out, gate, up Buf) {
	cpu.SwiGLUForward(d.pool, d.f(out), d.f(gate), d.f(up))
}

// SwiGLUBackward computes dgate and dup.
func (d *CPU) SwiGLUBackward(dgate, dup, gate, up, dout Buf) {
	cpu.SwiGLUBackward(d.pool, d.f(dgate), d.f(dup), d.f(gate), d.f(up), d.f(dout))
}

// CrossEntropyForward sets loss[0] to the mean cross-entropy.
func (d *CPU) CrossEntropyForward(loss, lse, logits, targets Buf, rows, vocab int) {
	l, _ := cpu.CrossEntropyForward(d.pool, d.f(lse), d.f(logits), d.i(targets), vocab)
	d.f(loss)[0] = l
}

// CrossEntropyBackward computes dlogits.
func (d *CPU) CrossEntropyBackward(dlogits, logits, lse, targets, dloss Buf, rows, vocab int) {
	cpu.CrossEntropyBackward(d.pool, d.f(dlogits), d.f(logits), d.f(lse), d.i(targets), vocab, d.f(dloss)[0])
}

// SumSquares adds the sum of squares of x to out[0].
func (d *CPU) SumSquares(out, x Buf) {
	d.f(out)[0] += float32(cpu.SumSquares(d.pool, d.f(x)))
}

// ClipScale computes the gradient scale with global-norm clipping.
func (d *CPU) ClipScale(scale, sumsq Buf, gradScale, maxNorm float32) {
	s := float64(gradScale)
	if maxNorm > 0 {
		norm := s * math.Sqrt(float64(d.f(sumsq)[0]))
		s *= math.Min(1, float64(maxNorm)/(norm+1e-6))
	}
	d.f(scale)[0] = float32(s)
}

// AdamW updates p.
func (d *CPU) AdamW(p, g, m, v, scale Buf, lr, beta1, beta2, eps, wd float32, step int) {
	cpu.AdamW(d.pool, d.f(p), d.f(g), d.f(m), d.f(v), d.f(scale)[0], lr, beta1, beta2, eps, wd, step)
}
