//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
)

// TestShortBuffers: a kernel call given a buffer shorter than its shape
// needs is refused (reported at Sync) instead of reading or writing past
// the buffer, which on a GPU reads other tensors or faults and poisons the
// context for good. The device keeps working after.
func TestShortBuffers(t *testing.T) {
	d := openGPU(t, FP32)
	alloc := func(n int, dt kernels.DType) kernels.Buf {
		b, err := d.Alloc(n, dt)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	big, short, one := alloc(1<<16, kernels.F32), alloc(4, kernels.F32), alloc(1, kernels.F32)
	ids := alloc(64, kernels.I32)
	for _, c := range []struct {
		name string
		call func()
	}{
		{"add", func() { d.Add(big, short, big) }},
		{"axpy", func() { d.Axpy(big, 2, short) }},
		{"swiglu_forward", func() { d.SwiGLUForward(big, big, short) }},
		{"swiglu_backward", func() { d.SwiGLUBackward(big, big, big, big, short) }},
		{"embedding_forward", func() { d.EmbeddingForward(big, big, short, 64, 16) }},
		{"embedding_backward", func() { d.EmbeddingBackward(big, ids, short, 64, 16) }},
		{"rmsnorm_forward", func() { d.RMSNormForward(big, big, big, short, 64, 16, 1e-5) }},
		{"rmsnorm_backward_dx", func() { d.RMSNormBackward(big, big, big, big, short, big, 64, 16) }},
		{"rope", func() { d.RoPE(big, big, short, big, 64, 64, 2, 16, false) }},
		{"attention_forward_16", func() { d.AttentionForward(big, big, big, short, big, 2, 32, 2, 2, 16) }},
		{"attention_backward_rowdot", func() { d.AttentionBackward(big, big, big, big, big, big, short, big, big, 2, 32, 2, 2, 16) }},
		{"crossentropy_lse", func() { d.CrossEntropyForward(one, big, short, ids, 64, 100) }},
		{"crossentropy_backward", func() { d.CrossEntropyBackward(short, big, big, ids, one, 64, 100) }},
		{"sum_squares_finish", func() { d.SumSquares(short.Slice(0, 0), big) }},
		{"adamw", func() { d.AdamW(big, big, short, big, one, 1e-3, 0.9, 0.95, 1e-8, 0, 1) }},
		{"rope_at", func() { d.RoPEAt(big, big, big, big, short, 64, 2, 16) }},
		{"cache_write", func() { d.CacheWrite(short, big, ids, 2, 32, 40, 16) }},
		{"attention_cached", func() { d.AttentionCached(big, big, short, big, ids, 2, 32, 40, 2, 2, 16) }},
	} {
		c.call()
		err := d.Sync()
		if err == nil || !strings.Contains(err.Error(), c.name) || !strings.Contains(err.Error(), "elements, the call needs") {
			t.Errorf("%s with a short buffer: Sync error %v", c.name, err)
		}
	}
	d.Add(big, big, big)
	if err := d.Sync(); err != nil {
		t.Errorf("after the refused calls, a valid one fails: %v", err)
	}
}

// TestCrossEntropyTargetsOutOfRange: a target outside [0, vocab) is
// ignored on the device, as the embedding kernels ignore a bad id: the loss
// and gradient are those of the same batch with that target -1, and no
// logit outside the row is read.
func TestCrossEntropyTargetsOutOfRange(t *testing.T) {
	p := newPair(t, FP32)
	const rows, vocab = 9, 50
	logits, dloss := p.randn(rows*vocab, 2), p.floats([]float32{1})
	bad := []int32{3, 1 << 30, 7, vocab, 0, -5, 49, vocab + 1, 1<<31 - 1}
	ignored := make([]int32, rows)
	for i, tg := range bad {
		ignored[i] = tg
		if tg < 0 || tg >= vocab {
			ignored[i] = -1
		}
	}
	result := func(targets []int32) (loss, dl []float32) {
		tg := p.ints(targets)
		l, lse, d := p.alloc(1, kernels.F32), p.alloc(rows, kernels.F32), p.alloc(rows*vocab, kernels.F32)
		p.gpu.CrossEntropyForward(l.g, lse.g, logits.g, tg.g, rows, vocab)
		p.gpu.CrossEntropyBackward(d.g, logits.g, lse.g, tg.g, dloss.g, rows, vocab)
		loss, _ = p.get(l)
		dl, _ = p.get(d)
		return loss, dl
	}
	gotLoss, gotGrad := result(bad)
	wantLoss, wantGrad := result(ignored)
	if gotLoss[0] != wantLoss[0] {
		t.Errorf("loss %v with out-of-range targets, %v with them ignored", gotLoss[0], wantLoss[0])
	}
	for i := range wantGrad {
		if gotGrad[i] != wantGrad[i] {
			t.Fatalf("dlogits[%d] = %v with out-of-range targets, %v with them ignored", i, gotGrad[i], wantGrad[i])
		}
	}
}

// TestUploadSourceReusable: Upload returns before its copy has run (the
// stream is asynchronous), yet the caller may reuse its slice at once, and
// uploads larger than the staging buffers, or more of them than there are
// buffers, arrive whole and in order.
func TestUploadSourceReusable(t *testing.T) {
	d := openGPU(t, FP32)
	const n = 3*stagingChunk/4 + 1001 // three staging chunks and a bit
	v := make([]float32, n)
	bufs := make([]kernels.Buf, 2*stagingBuffers+1)
	for i := range bufs {
		b, err := d.Alloc(n, kernels.F32)
		if err != nil {
			t.Fatal(err)
		}
		bufs[i] = b
		for j := range v {
			v[j] = float32(i*n + j)
		}
		if err := d.Upload(b, v); err != nil {
			t.Fatal(err)
		}
		for j := range v {
			v[j] = -1 // the copy has not run yet: the device must not see this
		}
	}
	got := make([]float32, n)
	for i, b := range bufs {
		if err := d.Download(got, b); err != nil {
			t.Fatal(err)
		}
		for j, x := range got {
			if x != float32(i*n+j) {
				t.Fatalf("buffer %d element %d: %v, want %v", i, j, x, float32(i*n+j))
			}
		}
	}
}
