//go:build plateau_cuda || plateau_cudaemu

package cuda

import "github.com/plateau-lab/plateau/kernels"

// reduceThreads is the largest block of the single-block reductions.
const reduceThreads = 1024

// CrossEntropyForward sets loss[0] to the mean cross-entropy over rows with a
// target in [0, vocab) (a target at or past vocab is left out as a negative
// one is, never read past the row) and saves each row's lse (crossentropy.cu): one block per row
// for lse (up to 256 threads, fewer for a small vocabulary), then one block
// for the mean.
func (d *Device) CrossEntropyForward(loss, lse, logits, targets kernels.Buf, rows, vocab int) {
	if vocab <= 0 {
		return
	}
	d.kernel(kCrossEntropyLSE).bufN(lse, rows).bufN(logits, rows*vocab).i32(rows).i32(vocab).
		run(dim3{rows, 1, 1}, reduceBlock(vocab, blockSize))
	d.kernel(kCrossEntropyLoss).bufN(loss, 1).bufN(lse, rows).bufN(logits, rows*vocab).bufN(targets, rows).i32(rows).i32(vocab).
		run(dim3{1, 1, 1}, reduceBlock(rows, reduceThreads))
}

// CrossEntropyBackward sets dlogits = dloss[0]*(softmax - onehot)/count
// (crossentropy.cu): one block counts the targets into scratch, then one
// thread per logit.
func (d *Device) CrossEntropyBackward(dlogits, logits, lse, targets, dloss kernels.Buf, rows, vocab int) {
	if vocab <= 0 || rows <= 0 {
		return
	}
	d.badArg = false
	c := d.scratchPtr(4)
	if d.badArg {
		d.badArg = false
		return
	}
	d.kernel(kCrossEntropyScale).dev(c).bufN(targets, rows).bufN(dloss, 1).i32(rows).i32(vocab).
		run(dim3{1, 1, 1}, reduceBlock(rows, reduceThreads))
	d.kernel(kCrossEntropyBackward).bufN(dlogits, rows*vocab).bufN(logits, rows*vocab).bufN(lse, rows).bufN(targets, rows).dev(c).i32(rows).i32(vocab).
		run(dim3{rows, ceilDiv(vocab, blockSize), 1}, dim3{blockSize, 1, 1})
}
