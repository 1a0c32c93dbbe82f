//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"math/rand/v2"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
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

// BenchmarkAttention measures causal attention forward and backward alone
// on the reference shapes, on the CUDA cores (fp32 precision: attention.cu)
// and on the tensor cores (bf16: attention_tc.cu), reporting tokens/s and
// TFLOP/s at the algorithmic count of the causal products (7 B H T^2 hd:
// two in the forward pass, five in the backward).
func BenchmarkAttention(b *testing.B) {
	const hd = 64
	for _, prec := range []Precision{FP32, BF16} {
		for _, s := range benchConfigs {
			b.Run(s.name+"/"+prec.String(), func(b *testing.B) {
				d := openGPU(b, prec)
				heads := s.d / hd
				nq, nl := s.batch*s.seq*s.d, s.batch*heads*s.seq
				r := rand.New(rand.NewPCG(3, 4))
				buf := func(n int) kernels.Buf { return normalBuf(b, d, r, n) }
				q, k, v, dout := buf(nq), buf(nq), buf(nq), buf(nq)
				out, lse, dq, dk, dv := buf(nq), buf(nl), buf(nq), buf(nq), buf(nq)
				step := func() {
					d.AttentionForward(out, lse, q, k, v, s.batch, s.seq, heads, heads, hd)
					d.AttentionBackward(dq, dk, dv, q, k, v, out, lse, dout, s.batch, s.seq, heads, heads, hd)
				}
				step()
				if err := d.Sync(); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for range b.N {
					step()
				}
				if err := d.Sync(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				sec := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(float64(s.batch*s.seq)/sec, "tok/s")
				b.ReportMetric(7*float64(s.batch*heads)*float64(s.seq)*float64(s.seq)*hd/sec/1e12, "TFLOP/s")
			})
		}
	}
}
