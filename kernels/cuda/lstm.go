//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/kernels/cpu"
)

// LSTMForward runs one LSTM layer (lstm.cu): the input projections of every
// step in one cuBLAS GEMM, then per step the recurrent GEMM and one thread
// per (sequence, unit) for the gates and the state.
func (d *Device) LSTMForward(y, saved, x, wih, whh, bias kernels.Buf, batch, seq, in, hidden int) {
	s := cpu.LSTMShape{Batch: batch, Seq: seq, In: in, Hidden: hidden}
	if batch <= 0 || seq <= 0 || hidden <= 0 {
		return
	}
	n5 := s.SavedParts()
	p := cutBufs(saved, n5[:])
	gates, c, tc, r, hprev := p[0], p[1], p[2], p[3], p[4]
	g, rows := 4*hidden, batch*seq
	d.Gemm(false, true, rows, g, in, 1, x, wih, 0, gates)
	n := batch * hidden
	for t := range seq {
		if t > 0 {
			d.Gemm(false, true, batch, g, hidden, 1, hprev, whh, 0, r)
		}
		d.kernel(kLSTMCellForward).bufN(gates, rows*g).bufN(c, rows*hidden).bufN(tc, rows*hidden).bufN(y, rows*hidden).
			bufN(hprev, n).bufN(r, batch*g).bufN(bias, g).
			i32(batch).i32(seq).i32(hidden).i32(t).run(d.linear(n), dim3{blockSize, 1, 1})
	}
}

// LSTMBackward backpropagates through the layer's steps (lstm.cu): per step,
// last first, the elementwise gradient and the GEMM that carries dh to the
// step before; then the weight gradients as GEMMs over every row and the
// bias gradient as column sums.
func (d *Device) LSTMBackward(dx, dwih, dwhh, db, scratch, x, wih, whh, y, saved, dy kernels.Buf, batch, seq, in, hidden int) {
	s := cpu.LSTMShape{Batch: batch, Seq: seq, In: in, Hidden: hidden}
	if batch <= 0 || seq <= 0 || hidden <= 0 {
		return
	}
	n5, n4 := s.SavedParts(), s.ScratchParts()
	p := cutBufs(saved, n5[:])
	gates, c, tc := p[0], p[1], p[2]
	q := cutBufs(scratch, n4[:])
	dz, step, dh, dc := q[0], q[1], q[2], q[3]
	g, rows, n := 4*hidden, batch*seq, batch*hidden
	for t := seq - 1; t >= 0; t-- {
		d.kernel(kLSTMCellBackward).bufN(dz, rows*g).bufN(step, batch*g).bufN(dh, n).bufN(dc, n).
			bufN(gates, rows*g).bufN(c, rows*hidden).bufN(tc, rows*hidden).bufN(dy, rows*hidden).
			i32(batch).i32(seq).i32(hidden).i32(t).run(d.linear(n), dim3{blockSize, 1, 1})
		if t > 0 {
			d.Gemm(false, false, batch, hidden, g, 1, step, whh, 0, dh)
		}
	}
	d.Gemm(false, false, rows, in, g, 1, dz, wih, 0, dx)
	d.Gemm(true, false, g, in, rows, 1, dz, x, 0, dwih)
	d.kernel(kLSTMBiasGrad).bufN(db, g).bufN(dz, rows*g).i32(rows).i32(g).run(d.linear(g), dim3{blockSize, 1, 1})
	d.kernel(kLSTMZeroFirst).bufN(dz, rows*g).i32(batch).i32(seq).i32(g).run(d.linear(batch*g), dim3{blockSize, 1, 1})
	if rows > 1 {
		d.Gemm(true, false, g, hidden, rows-1, 1, dz.Slice(g, dz.N-g), y, 0, dwhh)
	} else {
		d.Zero(dwhh)
	}
}

// cutBufs cuts b into consecutive parts of the given lengths (at most 5),
// into an array so that a call allocates nothing.
func cutBufs(b kernels.Buf, lens []int) [5]kernels.Buf {
	var out [5]kernels.Buf
	off := 0
	for i, n := range lens {
		out[i] = b.Slice(off, n)
		off += n
	}
	return out
}
