//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/train"
)

// learnableTokens is a stream with structure a model learns in a few dozen
// steps: each token is a fixed function of the previous one, except that
// one in eight is random.
func learnableTokens(n, vocab int, seed uint64) []int32 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]int32, n)
	for i := 1; i < n; i++ {
		if r.IntN(8) == 0 {
			out[i] = int32(r.IntN(vocab))
		} else {
			out[i] = (out[i-1]*7 + 3) % int32(vocab)
		}
	}
	return out
}

// trainLosses runs steps optimizer steps on dev and returns each step's loss.
// Batches of 4 x 64 tokens keep the 40 steps in three precisions within
// about a minute on the emulated GPU (two cores), and the data is learnable
// enough at that size (the loss falls from 4.6 to 1.0).
func trainLosses(t *testing.T, dev kernels.Device, steps int) []float64 {
	t.Helper()
	cfg := model.NewConfig(model.Shape{Hidden: 64, Layers: 2, Heads: 4, KVHeads: 2}, 97, 64)
	tokens := learnableTokens(1<<15, cfg.VocabSize, 1)
	opt := train.Options{Batch: 4, Seq: 64, Steps: steps, Schedule: train.Schedule{Kind: "constant", LR: 3e-3},
		AdamW: train.DefaultAdamW, Seed: 1, EvalBatches: 1}
	tr, err := train.New(dev, cfg, train.Data{Train: tokens, Val: tokens}, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	losses := make([]float64, steps)
	for i := range losses {
		if losses[i], _, err = tr.Step(i); err != nil {
			t.Fatal(err)
		}
	}
	return losses
}

// TestTrainingMatchesCPU trains the same model from the same seed on the
// CPU and on the GPU in every precision: the GPU's loss must fall as the
// CPU's does, step by step: fp32 within 1e-3 (only the order of float32
// sums differs), tf32 within 2e-2 and bf16 within 5e-2 (their GEMM operand
// rounding, 4.9e-4 and 3.9e-3, in every step).
func TestTrainingMatchesCPU(t *testing.T) {
	const steps = 40
	c := kernels.NewCPU(2)
	want := trainLosses(t, c, steps)
	c.Close()
	if !(want[steps-1] < 0.6*want[0]) {
		t.Fatalf("CPU loss went from %.4f to %.4f: the test's data is not learnable enough", want[0], want[steps-1])
	}
	for _, prec := range precisions {
		t.Run(prec.String(), func(t *testing.T) {
			got := trainLosses(t, openGPU(t, prec), steps)
			// Measured on the CPU: perturbing the initial weights by 1e-7
			// (float32 noise) moves this run's losses by 1.3e-7, by 1e-3
			// moves them by 6e-4; training here does not amplify noise.
			stepTol := map[Precision]float64{FP32: 1e-3, TF32: 2e-2, BF16: 5e-2}[prec]
			for i := range got {
				if rel := math.Abs(got[i]-want[i]) / want[i]; rel > stepTol {
					t.Errorf("step %d: loss %.5f, CPU %.5f (relative difference %.2g > %.1g)", i, got[i], want[i], rel, stepTol)
				}
			}
			t.Logf("loss %.4f -> %.4f (CPU %.4f -> %.4f)", got[0], got[steps-1], want[0], want[steps-1])
		})
	}
}
