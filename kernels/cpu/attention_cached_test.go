package cpu

import (
	"math"
	"testing"
)

// TestAttentionCachedPrefill writes whole sequences into a cache longer than
// they are and attends every row at its own position: the result must be
// causal attention over each sequence.
func TestAttentionCachedPrefill(t *testing.T) {
	for _, s := range attnShapes {
		t.Run("", func(t *testing.T) {
			t.Logf("%+v", s)
			rng := opRNG(uint64(7 + s.batch*100 + s.seq))
			rows := s.batch * s.seq
			q := opRand[float64](rng, rows*s.heads*s.hd)
			k := opRand[float64](rng, rows*s.kvHeads*s.hd)
			v := opRand[float64](rng, rows*s.kvHeads*s.hd)
			want, _ := naiveAttention(q, k, v, s)
			maxSeq := s.seq + 3
			pos := make([]int32, rows)
			for r := range pos {
				pos[r] = int32(r % s.seq)
			}
			kc := make([]float64, s.batch*maxSeq*s.kvHeads*s.hd)
			vc := make([]float64, len(kc))
			CacheWrite(kc, k, pos, s.seq, maxSeq, s.kvHeads*s.hd)
			CacheWrite(vc, v, pos, s.seq, maxSeq, s.kvHeads*s.hd)
			for _, pc := range opPools {
				out := opRand[float64](rng, len(q)) // garbage: must be overwritten
				AttentionCached(pc.p, out, q, kc, vc, pos, s.seq, maxSeq, s.heads, s.kvHeads, s.hd)
				opClose(t, "out/"+pc.name, out, want, 1e-13)
			}
		})
	}
}

// TestAttentionCachedDecode fills a cache one position per call, each
// sequence of the batch to its own length, with NaN in the rows never
// written, then attends one query row per sequence at its last position: the
// result must be that row of causal attention over the sequence, in float64
// and in float32, the same for every pool.
func TestAttentionCachedDecode(t *testing.T) {
	s := attnShape{batch: 3, seq: 9, heads: 6, kvHeads: 2, hd: 8}
	lens := []int{9, 1, 5} // positions written per sequence
	maxSeq := 12
	rng := opRNG(99)
	rows := s.batch * s.seq
	q := opRand[float64](rng, rows*s.heads*s.hd)
	k := opRand[float64](rng, rows*s.kvHeads*s.hd)
	v := opRand[float64](rng, rows*s.kvHeads*s.hd)
	full, _ := naiveAttention(q, k, v, s)
	kvw, qw := s.kvHeads*s.hd, s.heads*s.hd
	kc := make([]float64, s.batch*maxSeq*kvw)
	vc := make([]float64, len(kc))
	for i := range kc {
		kc[i], vc[i] = math.NaN(), math.NaN()
	}
	pos := make([]int32, s.batch)
	step := make([]float64, s.batch*kvw)
	for t0 := range s.seq {
		for b := range s.batch {
			pos[b] = int32(min(t0, lens[b]-1)) // finished sequences rewrite their last row
			copy(step[b*kvw:(b+1)*kvw], k[(b*s.seq+int(pos[b]))*kvw:][:kvw])
		}
		CacheWrite(kc, step, pos, 1, maxSeq, kvw)
		for b := range s.batch {
			copy(step[b*kvw:(b+1)*kvw], v[(b*s.seq+int(pos[b]))*kvw:][:kvw])
		}
		CacheWrite(vc, step, pos, 1, maxSeq, kvw)
	}
	qs := make([]float64, s.batch*qw)
	want := make([]float64, len(qs))
	for b := range s.batch {
		pos[b] = int32(lens[b] - 1)
		row := b*s.seq + lens[b] - 1
		copy(qs[b*qw:(b+1)*qw], q[row*qw:(row+1)*qw])
		copy(want[b*qw:(b+1)*qw], full[row*qw:(row+1)*qw])
	}
	var ref []float32
	for _, pc := range opPools {
		out := make([]float64, len(qs))
		AttentionCached(pc.p, out, qs, kc, vc, pos, 1, maxSeq, s.heads, s.kvHeads, s.hd)
		opClose(t, "out/"+pc.name, out, want, 1e-13)

		out32 := make([]float32, len(qs))
		kc32, vc32 := opToF32(kc), opToF32(vc)
		AttentionCached(pc.p, out32, opToF32(qs), kc32, vc32, pos, 1, maxSeq, s.heads, s.kvHeads, s.hd)
		opClose(t, "out32/"+pc.name, out32, opToF32(want), 1e-5)
		if ref == nil {
			ref = out32
		} else {
			opSame(t, "out32/"+pc.name, out32, ref)
		}
	}
}
