//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"math/rand/v2"
	"testing"

	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/train"
)

// benchConfigs are the shapes of the PyTorch reference on the GPU
// (torch_reference.py in the GPU notes: S, M and L, vocabulary 8192, MHA,
// SwiGLU width 8d/3 rounded up to 64, untied head).
var benchConfigs = []struct {
	name             string
	d, layers, heads int
	seq, batch       int
}{
	{"S", 256, 4, 4, 512, 64},
	{"M", 512, 8, 8, 1024, 32},
	{"L", 768, 12, 12, 1024, 32},
}

// BenchmarkTrainStep measures a full training step (forward, backward,
// clipping, AdamW) on the GPU for each reference shape and precision,
// reporting training tokens/s, model TFLOP/s, and the peak of the device
// memory plateau allocated (buffers and kernel scratch; without cuBLAS's
// workspace and the CUDA context).
func BenchmarkTrainStep(b *testing.B) {
	const vocab = 8192
	for _, prec := range precisions {
		for _, s := range benchConfigs {
			b.Run(s.name+"/"+prec.String(), func(b *testing.B) {
				d := openGPU(b, prec)
				cfg := model.NewConfig(model.Shape{Hidden: s.d, Layers: s.layers, Heads: s.heads, KVHeads: s.heads}, vocab, s.seq)
				r := rand.New(rand.NewPCG(1, 2))
				tokens := make([]int32, 4*s.batch*s.seq+1)
				for i := range tokens {
					tokens[i] = int32(r.IntN(vocab))
				}
				opt := train.Options{Batch: s.batch, Seq: s.seq, Steps: b.N + 1,
					Schedule: train.Schedule{Kind: "constant", LR: 3e-4}, AdamW: train.DefaultAdamW, Seed: 1, EvalBatches: 1}
				tr, err := train.New(d, cfg, train.Data{Train: tokens, Val: tokens}, opt)
				if err != nil {
					b.Fatal(err)
				}
				defer tr.Close()
				if _, _, err := tr.Step(0); err != nil { // the first step sizes the scratch
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, _, err := tr.Step(i + 1); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				tokS := float64(b.N*s.batch*s.seq) / b.Elapsed().Seconds()
				b.ReportMetric(tokS, "tok/s")
				b.ReportMetric(tokS*cfg.FLOPsPerToken(s.seq)/1e12, "TFLOP/s")
				b.ReportMetric(float64(d.PeakBytes())/1e9, "peak-GB")
				b.ReportMetric(float64(cfg.NonEmbeddingParams())/1e6, "Mparams-nonemb")
			})
		}
	}
}
