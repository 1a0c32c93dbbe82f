package cpu

import (
	"fmt"
	"testing"
)

// BenchmarkAttention times AttentionForward followed by AttentionBackward in
// float32 on a GOMAXPROCS pool. GFLOP/s counts the useful multiply-adds of the
// causal product: per (batch, head) and per unmasked pair j <= t, 4*hd flops
// forward (q·k and p*v) and 10*hd backward (q·k recomputed, dout·v, and the
// dq, dk, dv updates).
func BenchmarkAttention(b *testing.B) {
	for _, s := range []attnShape{
		{batch: 16, seq: 128, heads: 4, kvHeads: 4, hd: 32},
		{batch: 8, seq: 256, heads: 4, kvHeads: 4, hd: 64},
	} {
		name := fmt.Sprintf("b%d_t%d_h%d_kv%d_hd%d", s.batch, s.seq, s.heads, s.kvHeads, s.hd)
		b.Run(name, func(b *testing.B) {
			p := NewPool(0)
			rng := opRNG(1)
			rows := s.batch * s.seq
			q := opRand[float32](rng, rows*s.heads*s.hd)
			k := opRand[float32](rng, rows*s.kvHeads*s.hd)
			v := opRand[float32](rng, rows*s.kvHeads*s.hd)
			dout := opRand[float32](rng, len(q))
			out, lse := make([]float32, len(q)), make([]float32, s.batch*s.heads*s.seq)
			dq, dk, dv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
			pairs := float64(s.seq) * float64(s.seq+1) / 2
			flops := 14 * float64(s.hd) * pairs * float64(s.batch*s.heads)
			for b.Loop() {
				AttentionForward(p, out, lse, q, k, v, s.batch, s.seq, s.heads, s.kvHeads, s.hd)
				AttentionBackward(p, dq, dk, dv, q, k, v, out, lse, dout, s.batch, s.seq, s.heads, s.kvHeads, s.hd)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkLSTM times LSTMForward followed by LSTMBackward in float32 on a
// GOMAXPROCS pool, at the width of lstm400k and lstm2m. GFLOP/s counts the
// multiply-adds of the four GEMM terms: 2*4h*(in+h) flops per position
// forward and twice that backward.
func BenchmarkLSTM(b *testing.B) {
	for _, s := range []LSTMShape{
		{Batch: 16, Seq: 128, In: 168, Hidden: 168},
		{Batch: 16, Seq: 256, In: 344, Hidden: 344},
	} {
		b.Run(lstmName(s), func(b *testing.B) {
			p := NewPool(0)
			c := newLSTMCase[float32](s, 1)
			flops := 6 * 4 * float64(s.Hidden) * float64(s.In+s.Hidden) * float64(s.Batch*s.Seq)
			for b.Loop() {
				c.forward(p)
				c.backward(p)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
