// Package kernels runs plateau's gorgonia graphs. The executor compiles the
// forward graph and the backward graph that gorgonia.Grad built into a fixed
// schedule of kernel calls over a static memory plan, and runs that schedule
// on a Device: the pure-Go CPU (OpenBLAS GEMMs under the build tag openblas)
// or, under the build tag cuda, an NVIDIA GPU.
package kernels

// DType is the element type of a device buffer.
type DType int

// Element types a Device stores.
const (
	F32 DType = iota // float32: parameters, activations, gradients, optimizer state
	I32              // int32: token ids and targets
)

func (t DType) String() string {
	switch t {
	case F32:
		return "f32"
	case I32:
		return "i32"
	}
	return "unknown"
}

// Buf is a handle to N elements at element offset Off of one device
// allocation. It carries no data: a device's memory is reached only through
// the Device's methods, so the same executor drives host and GPU memory.
type Buf struct {
	mem int // index of the allocation in the device's table, 1-based; 0 = none
	Off int // first element
	N   int // number of elements
	DT  DType
}

// Valid reports whether b refers to an allocation.
func (b Buf) Valid() bool { return b.mem != 0 }

// Slice returns the sub-buffer of n elements starting at element off of b.
func (b Buf) Slice(off, n int) Buf {
	return Buf{mem: b.mem, Off: b.Off + off, N: n, DT: b.DT}
}

// Device is memory plus the kernels plateau's fused ops need. All matrices are
// row-major; "rows" is the number of token positions B*T. Kernels write their
// outputs in full (they never accumulate into them) unless the doc says so.
// Errors are sticky on devices that run asynchronously: a failed kernel shows
// up at the next Sync.
type Device interface {
	// Name says what the device is, for logs ("cpu (2 threads, pure Go)").
	Name() string
	// Alloc returns a zeroed buffer of n elements of type dt.
	Alloc(n int, dt DType) (Buf, error)
	// Free releases the allocation that b belongs to.
	Free(b Buf)
	// Upload copies src into dst (len(src) == dst.N, dst.DT == F32).
	Upload(dst Buf, src []float32) error
	// UploadInt32 copies src into dst (len(src) == dst.N, dst.DT == I32).
	UploadInt32(dst Buf, src []int32) error
	// Download copies src into dst (len(dst) == src.N, src.DT == F32).
	Download(dst []float32, src Buf) error
	// Sync waits for queued work and reports the first error since the last Sync.
	Sync() error
	// Close releases everything the device holds.
	Close() error

	// Zero sets every element of b to 0.
	Zero(b Buf)
	// Copy sets dst = src.
	Copy(dst, src Buf)
	// Add sets dst = a + b elementwise (dst may alias a or b).
	Add(dst, a, b Buf)
	// Axpy sets dst += alpha * x.
	Axpy(dst Buf, alpha float32, x Buf)

	// Gemm sets C = alpha*op(A)*op(B) + beta*C with op(A) m x k, op(B) k x n,
	// C m x n, all row-major; transA/transB select op(X) = X^T.
	Gemm(transA, transB bool, m, n, k int, alpha float32, a, b Buf, beta float32, c Buf)

	// EmbeddingForward gathers out[r,:] = w[ids[r],:]; w is [vocab, d].
	EmbeddingForward(out, w, ids Buf, rows, d int)
	// EmbeddingBackward sets dw = 0 then dw[ids[r],:] += dout[r,:].
	EmbeddingBackward(dw, ids, dout Buf, rows, d int)
	// RMSNormForward sets out = x * rstd * w with rstd[r] = 1/sqrt(mean(x[r]^2)+eps), saving rstd.
	RMSNormForward(out, rstd, x, w Buf, rows, d int, eps float32)
	// RMSNormBackward sets dx and dw (dw summed over rows) from dout.
	RMSNormBackward(dx, dw, x, w, rstd, dout Buf, rows, d int)
	// RoPE rotates each head of x ([rows, heads*hd], position = row % seq) in
	// Hugging Face rotate-half form with the [seq, hd/2] tables cos and sin;
	// inverse rotates by the negative angle (the backward pass).
	RoPE(out, x, cos, sin Buf, rows, seq, heads, hd int, inverse bool)
	// AttentionForward is causal softmax(q k^T / sqrt(hd)) v per batch and head,
	// with GQA (query head h reads kv head h/(heads/kvHeads)). q and out are
	// [batch*seq, heads*hd], k and v [batch*seq, kvHeads*hd]; lse [batch, heads, seq]
	// saves each row's log-sum-exp for the backward pass.
	AttentionForward(out, lse, q, k, v Buf, batch, seq, heads, kvHeads, hd int)
	// AttentionBackward sets dq, dk and dv from dout and the forward's out and lse.
	AttentionBackward(dq, dk, dv, q, k, v, out, lse, dout Buf, batch, seq, heads, kvHeads, hd int)
	// SwiGLUForward sets out = silu(gate) * up.
	SwiGLUForward(out, gate, up Buf)
	// SwiGLUBackward sets dgate and dup from dout.
	SwiGLUBackward(dgate, dup, gate, up, dout Buf)
	// CrossEntropyForward sets loss[0] to the mean over rows with targets[r] >= 0
	// of logsumexp(logits[r]) - logits[r, targets[r]], saving each row's lse.
	CrossEntropyForward(loss, lse, logits, targets Buf, rows, vocab int)
	// CrossEntropyBackward sets dlogits = dloss[0] * (softmax(logits) - onehot(target)) / count.
	CrossEntropyBackward(dlogits, logits, lse, targets, dloss Buf, rows, vocab int)

	// LSTMForward runs one LSTM layer (cpu.LSTMForward: gates i, f, g, o
	// stacked in wih [4*hidden, in], whh [4*hidden, hidden] and bias
	// [4*hidden]) over batch sequences of seq steps of x ([batch*seq, in],
	// batch-major), each from zero state: y [batch*seq, hidden] gets every
	// hidden state, saved (cpu.LSTMShape.SavedSize elements, cut as
	// SavedParts says) the gates and cell states the backward reads.
	LSTMForward(y, saved, x, wih, whh, bias Buf, batch, seq, in, hidden int)
	// LSTMBackward sets dx, dwih, dwhh and db from dy by backpropagation
	// through time (cpu.LSTMBackward), from the forward's inputs, its y and
	// saved; scratch is working memory of cpu.LSTMShape.ScratchSize elements.
	LSTMBackward(dx, dwih, dwhh, db, scratch, x, wih, whh, y, saved, dy Buf, batch, seq, in, hidden int)

	// SumSquares adds the sum of squares of x to out[0] (for the global gradient norm).
	SumSquares(out, x Buf)
	// ClipScale sets scale[0] = gradScale * min(1, maxNorm / (gradScale*sqrt(sumsq[0]) + 1e-6));
	// maxNorm <= 0 disables clipping.
	ClipScale(scale, sumsq Buf, gradScale, maxNorm float32)
	// AdamW updates p with the gradient scale[0]*g (PyTorch AdamW: p -= lr*wd*p,
	// then the bias-corrected Adam step; step counts from 1).
	AdamW(p, g, m, v, scale Buf, lr, beta1, beta2, eps, wd float32, step int)

	// Inference kernels.
	//
	// Generation keeps a KV cache per layer: kCache and vCache are [batch,
	// maxSeq, kvHeads*hd], sequence b's position t at row b*maxSeq+t. A step
	// feeds n new tokens per sequence (the prompt at prefill, 1 when
	// decoding) as rows r = b*n+i, and pos (I32, [batch*n]) says at which
	// position each row sits; sequences may be at different positions.

	// RoPEAt is RoPE (rotate-half form, [maxSeq, hd/2] tables cos and sin)
	// with row r of x ([rows, heads*hd]) at position pos[r] instead of
	// r % seq; 0 <= pos[r] < maxSeq. out may be x.
	RoPEAt(out, x, cos, sin, pos Buf, rows, heads, hd int)
	// CacheWrite stores x ([batch*n, width]) into cache ([batch, maxSeq,
	// width]): row r = b*n+i of x goes to cache row b*maxSeq+pos[r].
	CacheWrite(cache, x, pos Buf, batch, n, maxSeq, width int)
	// AttentionCached is attention of new query rows against the cache: q
	// and out are [batch*n, heads*hd]; row r = b*n+i attends to positions
	// 0..pos[r] of sequence b (causal), out_r = softmax(q_r k^T/sqrt(hd)) v,
	// query head h reading kv head h/(heads/kvHeads). Every position a row
	// reads must have been written by CacheWrite first.
	AttentionCached(out, q, kCache, vCache, pos Buf, batch, n, maxSeq, heads, kvHeads, hd int)
}
