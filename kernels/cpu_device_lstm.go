package kernels

import "github.com/plateau-lab/plateau/kernels/cpu"

// LSTMForward runs one LSTM layer over the batch.
func (d *CPU) LSTMForward(y, saved, x, wih, whh, bias Buf, batch, seq, in, hidden int) {
	s := cpu.LSTMShape{Batch: batch, Seq: seq, In: in, Hidden: hidden}
	cpu.LSTMForward(d.pool, s, d.f(y), d.f(x), d.f(wih), d.f(whh), d.f(bias), cpu.SplitLSTMSaved(d.f(saved), s))
}

// LSTMBackward backpropagates through the layer's steps.
func (d *CPU) LSTMBackward(dx, dwih, dwhh, db, scratch, x, wih, whh, y, saved, dy Buf, batch, seq, in, hidden int) {
	s := cpu.LSTMShape{Batch: batch, Seq: seq, In: in, Hidden: hidden}
	cpu.LSTMBackward(d.pool, s, d.f(dx), d.f(dwih), d.f(dwhh), d.f(db), d.f(x), d.f(wih), d.f(whh), d.f(y), d.f(dy),
		cpu.SplitLSTMSaved(d.f(saved), s), cpu.SplitLSTMScratch(d.f(scratch), s))
}
