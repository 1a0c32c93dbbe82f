package cpu

import (
	"math"
	"testing"
)

func TestCrossEntropy(t *testing.T) {
	cases := []struct {
		name    string
		vocab   int
		targets []int32
		spread  float64
	}{
		{"all counted", 5, []int32{0, 4, 2}, 1},
		{"some ignored", 7, []int32{-1, 3, -100, 6, 0}, 2},
		{"all ignored", 4, []int32{-1, -1}, 1},
		{"large logits", 11, []int32{10, -1, 1}, 50},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows := len(c.targets)
			rng := opRNG(uint64(c.vocab*rows) + 1)
			logits := opRand[float64](rng, rows*c.vocab)
			for i := range logits {
				logits[i] *= c.spread
			}
			// Naive reference: log of the sum of plain exponentials.
			wantLse := make([]float64, rows)
			var sum float64
			wantCount := 0
			for r := range rows {
				var s float64
				for j := range c.vocab {
					s += math.Exp(logits[r*c.vocab+j])
				}
				wantLse[r] = math.Log(s)
				if tg := c.targets[r]; tg >= 0 {
					sum += wantLse[r] - logits[r*c.vocab+int(tg)]
					wantCount++
				}
			}
			wantLoss := 0.0
			if wantCount > 0 {
				wantLoss = sum / float64(wantCount)
			}
			const dloss = 0.7
			for _, pc := range opPools {
				lse := make([]float64, rows)
				loss, count := CrossEntropyForward(pc.p, lse, logits, c.targets, c.vocab)
				if count != wantCount || math.Abs(loss-wantLoss) > 1e-13 {
					t.Errorf("%s: loss, count = %v, %d; want %v, %d", pc.name, loss, count, wantLoss, wantCount)
				}
				opClose(t, "lse", lse, wantLse, 1e-13)
				dl := opRand[float64](rng, len(logits)) // garbage: must be overwritten
				CrossEntropyBackward(pc.p, dl, logits, lse, c.targets, c.vocab, dloss)
				opCheckGrad(t, "dlogits/"+pc.name, logits, dl, func() float64 {
					l, _ := CrossEntropyForward(nil, make([]float64, rows), logits, c.targets, c.vocab)
					return dloss * l
				})
			}
		})
	}
}

func TestCrossEntropyDeterministic(t *testing.T) {
	const rows, vocab = 257, 1000
	rng := opRNG(11)
	logits := opRand[float32](rng, rows*vocab)
	targets := make([]int32, rows)
	for i := range targets {
		targets[i] = int32(rng.IntN(vocab+vocab/10)) - int32(vocab/10) // ~10% ignored
	}
	var refLoss float32
	var refLse, refD []float32
	for _, pc := range opPools {
		lse, d := make([]float32, rows), make([]float32, rows*vocab)
		loss, _ := CrossEntropyForward(pc.p, lse, logits, targets, vocab)
		CrossEntropyBackward(pc.p, d, logits, lse, targets, vocab, 1)
		if refLse == nil {
			refLoss, refLse, refD = loss, lse, d
			continue
		}
		if loss != refLoss {
			t.Errorf("loss %v with %s, %v serial", loss, pc.name, refLoss)
		}
		opSame(t, "lse", lse, refLse)
		opSame(t, "dlogits", d, refD)
	}
}
