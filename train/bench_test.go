package train

import (
	"math/rand/v2"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
)

// BenchmarkTrainStep measures a full training step (forward, backward,
// AdamW) for the two CPU reference shapes, reporting training tokens/s and
// achieved GFLOP/s. scripts/bench-cpu.sh sets the same shapes beside
// PyTorch.
func BenchmarkTrainStep(b *testing.B) {
	shapes := []struct {
		name                    string
		vocab, d, layers, heads int
		batch, seq              int
	}{
		{"v512-d128-l2-b16x128", 512, 128, 2, 4, 16, 128},
		{"v4096-d256-l4-b8x256", 4096, 256, 4, 4, 8, 256},
	}
	for _, s := range shapes {
		b.Run(s.name, func(b *testing.B) {
			cfg := model.NewConfig(model.Shape{Hidden: s.d, Layers: s.layers, Heads: s.heads, KVHeads: s.heads}, s.vocab, s.seq)
			r := rand.New(rand.NewPCG(1, 2))
			tokens := make([]int32, 1<<16)
			for i := range tokens {
				tokens[i] = int32(r.IntN(s.vocab))
			}
			opt := Options{Batch: s.batch, Seq: s.seq, Steps: b.N + 1, Schedule: Schedule{Kind: "constant", LR: 3e-4},
				AdamW: DefaultAdamW, Seed: 1, EvalBatches: 1}
			tr, err := New(kernels.NewCPU(0), cfg, Data{Train: tokens, Val: tokens}, opt)
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Close()
			if _, _, err := tr.Step(0); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := tr.Step(i + 1); err != nil {
					b.Fatal(err)
				}
			}
			tokS := float64(b.N*s.batch*s.seq) / b.Elapsed().Seconds()
			b.ReportMetric(tokS, "tok/s")
			b.ReportMetric(tokS*cfg.FLOPsPerToken(s.seq)/1e9, "GFLOP/s")
		})
	}
}
