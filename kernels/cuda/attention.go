//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"fmt"
	"math"

	"github.com/plateau-lab/plateau/kernels"
)

// attnThreads is the block size of the attention kernels (attention.cu's
// Attn<HD>::THREADS).
const attnThreads = 128

// attnCheck returns the compiled variant for the shapes (the tensor-core
// kernels of attention_tc.cu in BF16 precision, attention.cu's float32
// kernels otherwise), or records an error for shapes the kernels do not
// handle.
func (d *Device) attnCheck(batch, seq, heads, kvHeads, hd int) (attnVariant, bool) {
	if batch <= 0 || seq <= 0 || heads <= 0 || kvHeads <= 0 || hd <= 0 {
		return attnVariant{}, false
	}
	if heads%kvHeads != 0 {
		d.fail(fmt.Errorf("attention: %d query heads are not a multiple of %d kv heads", heads, kvHeads))
		return attnVariant{}, false
	}
	vs := attnVariants
	if d.prec == BF16 {
		vs = tcVariants
	}
	v, ok := variantFor(vs, hd)
	if !ok {
		d.fail(fmt.Errorf("attention: head dim %d is larger than the largest compiled bound %d", hd, attnVariants[len(attnVariants)-1].maxHD))
		return attnVariant{}, false
	}
	if heads > 65535 || batch > 65535 {
		d.fail(fmt.Errorf("attention: batch %d x heads %d exceeds the grid", batch, heads))
		return attnVariant{}, false
	}
	return v, true
}

// attnScale is 1/sqrt(hd) rounded as the CPU device rounds it.
func attnScale(hd int) float32 { return float32(1 / math.Sqrt(float64(hd))) }

// AttentionForward runs causal GQA attention with an online softmax over key
// tiles, saving each row's log-sum-exp (attention.cu; attention_tc.cu, on
// the tensor cores, in BF16 precision).
func (d *Device) AttentionForward(out, lse, q, k, v kernels.Buf, batch, seq, heads, kvHeads, hd int) {
	vr, ok := d.attnCheck(batch, seq, heads, kvHeads, hd)
	if !ok {
		return
	}
	nq, nkv, nl := batch*seq*heads*hd, batch*seq*kvHeads*hd, batch*heads*seq
	d.kernel(vr.forward).bufN(out, nq).bufN(lse, nl).bufN(q, nq).bufN(k, nkv).bufN(v, nkv).i32(seq).i32(heads).i32(kvHeads).i32(hd).
		f32(attnScale(hd)).run(dim3{ceilDiv(seq, vr.rows), heads, batch}, dim3{attnThreads, 1, 1})
}

// AttentionBackward sets dq, dk and dv: D = rowsum(dout*out) into scratch,
// then dq per query row and dk, dv per key row, each recomputing P from q,
// k and lse (attention.cu).
func (d *Device) AttentionBackward(dq, dk, dv, q, k, v, out, lse, dout kernels.Buf, batch, seq, heads, kvHeads, hd int) {
	vr, ok := d.attnCheck(batch, seq, heads, kvHeads, hd)
	if !ok {
		return
	}
	rows := batch * seq * heads
	d.badArg = false
	dd := d.scratchPtr(int64(rows) * 4)
	if d.badArg {
		d.badArg = false
		return
	}
	scale := attnScale(hd)
	nq, nkv, nl := batch*seq*heads*hd, batch*seq*kvHeads*hd, batch*heads*seq
	d.kernel(kAttentionRowDot).dev(dd).bufN(out, nq).bufN(dout, nq).i32(batch).i32(seq).i32(heads).i32(hd).
		run(dim3{ceilDiv(rows, blockSize/32), 1, 1}, dim3{blockSize, 1, 1})
	d.kernel(vr.dq).bufN(dq, nq).bufN(q, nq).bufN(k, nkv).bufN(v, nkv).bufN(lse, nl).dev(dd).bufN(dout, nq).i32(seq).i32(heads).i32(kvHeads).
		i32(hd).f32(scale).run(dim3{ceilDiv(seq, vr.rows), heads, batch}, dim3{attnThreads, 1, 1})
	d.kernel(vr.dkdv).bufN(dk, nkv).bufN(dv, nkv).bufN(q, nq).bufN(k, nkv).bufN(v, nkv).bufN(lse, nl).dev(dd).bufN(dout, nq).i32(seq).i32(heads).
		i32(kvHeads).i32(hd).f32(scale).run(dim3{ceilDiv(seq, vr.rows), kvHeads, batch}, dim3{attnThreads, 1, 1})
}
