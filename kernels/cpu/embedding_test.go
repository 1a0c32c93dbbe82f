package cpu

import "testing"

func TestEmbedding(t *testing.T) {
	cases := []struct {
		name     string
		vocab, d int
		ids      []int32
	}{
		{"repeated ids", 5, 3, []int32{0, 2, 2, 4, 0, 1}},
		{"one row", 3, 7, []int32{1}},
		{"unused table rows", 10, 4, []int32{9, 9, 9}},
		{"no rows", 4, 2, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := opRNG(uint64(c.vocab*c.d + len(c.ids)))
			rows := len(c.ids)
			w := opRand[float64](rng, c.vocab*c.d)
			R := opRand[float64](rng, rows*c.d)
			out := make([]float64, rows*c.d)
			want := make([]float64, rows*c.d)
			for r, id := range c.ids {
				for j := range c.d {
					want[r*c.d+j] = w[int(id)*c.d+j]
				}
			}
			dw := opRand[float64](rng, len(w)) // garbage: must be overwritten
			for _, pc := range opPools {
				EmbeddingForward(pc.p, out, w, c.ids, c.d)
				opSame(t, "out", out, want)
				EmbeddingBackward(pc.p, dw, c.ids, R, c.d)
				opCheckGrad(t, "dw/"+pc.name, w, dw, func() float64 {
					EmbeddingForward(nil, out, w, c.ids, c.d)
					return opDot(out, R)
				})
			}
		})
	}
}

func TestEmbeddingBackwardDeterministic(t *testing.T) {
	const vocab, d, rows = 1000, 64, 3000
	rng := opRNG(7)
	ids := make([]int32, rows)
	for i := range ids {
		ids[i] = int32(rng.IntN(vocab / 4)) // many repeats
	}
	dout := opRand[float32](rng, rows*d)
	var ref []float32
	for _, pc := range opPools {
		dw := make([]float32, vocab*d)
		EmbeddingBackward(pc.p, dw, ids, dout, d)
		if ref == nil {
			ref = dw
			continue
		}
		opSame(t, "dw "+pc.name, dw, ref)
	}
}
