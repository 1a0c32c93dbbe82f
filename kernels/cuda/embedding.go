//go:build plateau_cuda || plateau_cudaemu

package cuda

import "github.com/plateau-lab/plateau/kernels"

// embeddingBlocks is how many blocks share the table in EmbeddingBackward;
// each scans every id, so more blocks mean shorter serial work per block
// and more scanning overall.
const embeddingBlocks = 1024

// EmbeddingForward gathers out[r,:] = w[ids[r],:] (embedding.cu), one block
// per row. An id outside the table (w.N/dim rows) gives a zero row instead of
// a read outside w, which would poison the CUDA context.
func (d *Device) EmbeddingForward(out, w, ids kernels.Buf, rows, dim int) {
	if dim <= 0 {
		return
	}
	d.kernel(kEmbeddingForward).bufN(out, rows*dim).buf(w).bufN(ids, rows).i32(rows).i32(dim).i32(w.N/dim).
		run(dim3{rows, 1, 1}, dim3{blockSize, 1, 1})
}

// EmbeddingBackward sets dw = 0 then dw[ids[r],:] += dout[r,:] in row order,
// deterministically (embedding.cu: blocks own parts of the table, no atomics).
func (d *Device) EmbeddingBackward(dw, ids, dout kernels.Buf, rows, dim int) {
	if dim <= 0 {
		return
	}
	vocab := dw.N / dim
	blocks := min(vocab, embeddingBlocks)
	if blocks == 0 {
		return
	}
	per := ceilDiv(vocab, blocks)
	d.kernel(kEmbeddingBackward).buf(dw).bufN(ids, rows).bufN(dout, rows*dim).i32(rows).i32(dim).i32(vocab).i32(per).
		run(dim3{ceilDiv(vocab, per), 1, 1}, dim3{blockSize, 1, 1})
}
