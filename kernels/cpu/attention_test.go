package cpu

import (
	"math"
	"testing"
)

// attnShape is one attention configuration of the tests.
type attnShape struct {
	batch, seq, heads, kvHeads, hd int
}

// naiveAttention materialises the full [seq, seq] masked score matrix of each
// (batch, head), takes its softmax and multiplies by v, all in float64.
func naiveAttention(q, k, v []float64, s attnShape) (out, lse []float64) {
	qs, ks := s.heads*s.hd, s.kvHeads*s.hd
	out = make([]float64, s.batch*s.seq*qs)
	lse = make([]float64, s.batch*s.heads*s.seq)
	scores := make([]float64, s.seq*s.seq)
	for b := range s.batch {
		for h := range s.heads {
			g := h / (s.heads / s.kvHeads)
			for t := range s.seq {
				for j := range s.seq {
					if j > t {
						scores[t*s.seq+j] = math.Inf(-1)
						continue
					}
					var d float64
					for i := range s.hd {
						d += q[(b*s.seq+t)*qs+h*s.hd+i] * k[(b*s.seq+j)*ks+g*s.hd+i]
					}
					scores[t*s.seq+j] = d / math.Sqrt(float64(s.hd))
				}
			}
			for t := range s.seq {
				row := scores[t*s.seq : (t+1)*s.seq]
				var z float64
				for _, x := range row {
					z += math.Exp(x)
				}
				lse[(b*s.heads+h)*s.seq+t] = math.Log(z)
				for j, x := range row {
					pj := math.Exp(x) / z
					for i := range s.hd {
						out[(b*s.seq+t)*qs+h*s.hd+i] += pj * v[(b*s.seq+j)*ks+g*s.hd+i]
					}
				}
			}
		}
	}
	return out, lse
}

var attnShapes = []attnShape{
	{batch: 2, seq: 5, heads: 6, kvHeads: 2, hd: 4},
	{batch: 1, seq: 7, heads: 3, kvHeads: 3, hd: 8},
	{batch: 2, seq: 13, heads: 4, kvHeads: 1, hd: 8},
	{batch: 2, seq: 7, heads: 6, kvHeads: 2, hd: 8},
	{batch: 1, seq: 1, heads: 2, kvHeads: 1, hd: 4},
	{batch: 3, seq: 4, heads: 1, kvHeads: 1, hd: 6},
	// Longer than attnBlock: two query tiles, the second short.
	{batch: 1, seq: attnBlock + 9, heads: 2, kvHeads: 1, hd: 2},
}

func TestAttention(t *testing.T) {
	for _, s := range attnShapes {
		t.Run("", func(t *testing.T) {
			t.Logf("%+v", s)
			rng := opRNG(uint64(s.batch*1000 + s.seq*100 + s.heads*10 + s.hd))
			rows := s.batch * s.seq
			q := opRand[float64](rng, rows*s.heads*s.hd)
			k := opRand[float64](rng, rows*s.kvHeads*s.hd)
			v := opRand[float64](rng, rows*s.kvHeads*s.hd)
			for i := range q {
				q[i] *= 3 // sharper softmax than plain uniform inputs give
			}
			R := opRand[float64](rng, len(q))
			wantOut, wantLse := naiveAttention(q, k, v, s)
			for _, pc := range opPools {
				out := make([]float64, len(q))
				lse := make([]float64, len(wantLse))
				AttentionForward(pc.p, out, lse, q, k, v, s.batch, s.seq, s.heads, s.kvHeads, s.hd)
				opClose(t, "out", out, wantOut, 1e-13)
				opClose(t, "lse", lse, wantLse, 1e-13)
				dq := opRand[float64](rng, len(q)) // garbage: must be overwritten
				dk := opRand[float64](rng, len(k))
				dv := opRand[float64](rng, len(v))
				AttentionBackward(pc.p, dq, dk, dv, q, k, v, out, lse, R, s.batch, s.seq, s.heads, s.kvHeads, s.hd)
				loss := func() float64 {
					o := make([]float64, len(q))
					AttentionForward(nil, o, make([]float64, len(lse)), q, k, v, s.batch, s.seq, s.heads, s.kvHeads, s.hd)
					return opDot(o, R)
				}
				opCheckGrad(t, "dq/"+pc.name, q, dq, loss)
				opCheckGrad(t, "dk/"+pc.name, k, dk, loss)
				opCheckGrad(t, "dv/"+pc.name, v, dv, loss)
			}
		})
	}
}

// TestAttentionFloat32 checks the float32 instantiation against float64 and
// that the pool changes no bit of any output.
func TestAttentionFloat32(t *testing.T) {
	for _, s := range []attnShape{
		{batch: 3, seq: 37, heads: 6, kvHeads: 2, hd: 16},
		{batch: 2, seq: 3*attnBlock + 5, heads: 4, kvHeads: 2, hd: 8},
	} {
		t.Run("", func(t *testing.T) { testAttentionFloat32(t, s) })
	}
}

func testAttentionFloat32(t *testing.T, s attnShape) {
	t.Logf("%+v", s)
	rng := opRNG(23)
	rows := s.batch * s.seq
	q64 := opRand[float64](rng, rows*s.heads*s.hd)
	k64 := opRand[float64](rng, rows*s.kvHeads*s.hd)
	v64 := opRand[float64](rng, rows*s.kvHeads*s.hd)
	d64 := opRand[float64](rng, len(q64))
	// Round the inputs to float32 first so both precisions see the same data.
	q, k, v, dout := opToF32(q64), opToF32(k64), opToF32(v64), opToF32(d64)
	for _, x := range [][]float64{q64, k64, v64, d64} {
		for i := range x {
			x[i] = float64(float32(x[i]))
		}
	}
	out64, lse64 := make([]float64, len(q)), make([]float64, s.batch*s.heads*s.seq)
	dq64, dk64, dv64 := make([]float64, len(q)), make([]float64, len(k)), make([]float64, len(v))
	AttentionForward(nil, out64, lse64, q64, k64, v64, s.batch, s.seq, s.heads, s.kvHeads, s.hd)
	AttentionBackward(nil, dq64, dk64, dv64, q64, k64, v64, out64, lse64, d64, s.batch, s.seq, s.heads, s.kvHeads, s.hd)
	var ref [][]float32
	for _, pc := range opPools {
		out, lse := make([]float32, len(q)), make([]float32, len(lse64))
		dq, dk, dv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
		AttentionForward(pc.p, out, lse, q, k, v, s.batch, s.seq, s.heads, s.kvHeads, s.hd)
		AttentionBackward(pc.p, dq, dk, dv, q, k, v, out, lse, dout, s.batch, s.seq, s.heads, s.kvHeads, s.hd)
		opClose(t, "out", out, opToF32(out64), 1e-5)
		opClose(t, "lse", lse, opToF32(lse64), 1e-5)
		opClose(t, "dq", dq, opToF32(dq64), 1e-5)
		opClose(t, "dk", dk, opToF32(dk64), 1e-5)
		opClose(t, "dv", dv, opToF32(dv64), 1e-5)
		got := [][]float32{out, lse, dq, dk, dv}
		if ref == nil {
			ref = got
			continue
		}
		for i, name := range []string{"out", "lse", "dq", "dk", "dv"} {
			opSame(t, name+" "+pc.name, got[i], ref[i])
		}
	}
}
