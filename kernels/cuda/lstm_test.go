//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"fmt"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/kernels/cpu"
)

// lstmTol bounds the GPU's difference from the CPU in an LSTM layer, relative
// to the max-norm: cuBLAS and the CPU GEMM sum in different orders, tanhf
// and the CPU's vector exponential round differently, and the recurrence
// carries each step's rounding into the next.
const lstmTol = 1e-4

// TestLSTM compares one LSTM layer forward and backward with the CPU device
// on shapes with one step, one sequence, odd widths and an input width
// other than the hidden width.
func TestLSTM(t *testing.T) {
	p := newPair(t, FP32)
	for _, s := range []cpu.LSTMShape{
		{Batch: 1, Seq: 1, In: 5, Hidden: 3},
		{Batch: 3, Seq: 17, In: 24, Hidden: 40},
		{Batch: 8, Seq: 64, In: 80, Hidden: 80},
		{Batch: 5, Seq: 33, In: 37, Hidden: 129},
	} {
		name := fmt.Sprintf("lstm b%d s%d in%d h%d", s.Batch, s.Seq, s.In, s.Hidden)
		rows, g := s.Batch*s.Seq, 4*s.Hidden
		x, dy := p.randn(rows*s.In, 1), p.randn(rows*s.Hidden, 1)
		wih, whh, bias := p.randn(g*s.In, 0.3), p.randn(g*s.Hidden, 0.3), p.randn(g, 0.5)
		y, saved, scratch := p.alloc(rows*s.Hidden, kernels.F32), p.alloc(s.SavedSize(), kernels.F32), p.alloc(s.ScratchSize(), kernels.F32)
		dx, dwih := p.randn(rows*s.In, 1), p.randn(g*s.In, 1) // dirty: the kernels overwrite them
		dwhh, db := p.randn(g*s.Hidden, 1), p.randn(g, 1)
		p.run(func(d kernels.Device, b func(buf) kernels.Buf) {
			d.LSTMForward(b(y), b(saved), b(x), b(wih), b(whh), b(bias), s.Batch, s.Seq, s.In, s.Hidden)
			d.LSTMBackward(b(dx), b(dwih), b(dwhh), b(db), b(scratch), b(x), b(wih), b(whh), b(y), b(saved), b(dy),
				s.Batch, s.Seq, s.In, s.Hidden)
		})
		p.near(name+" y", y, lstmTol)
		p.near(name+" dx", dx, lstmTol)
		p.near(name+" dwih", dwih, lstmTol)
		p.near(name+" dwhh", dwhh, lstmTol)
		p.near(name+" dbias", db, lstmTol)
		// The saved gates and cells are what the backward reads: compare
		// them too, so a mismatch is found where it starts.
		gates := buf{saved.g.Slice(0, rows*g), saved.c.Slice(0, rows*g)}
		p.near(name+" saved gates", gates, lstmTol)
	}
}
