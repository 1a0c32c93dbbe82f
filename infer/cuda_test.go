//go:build plateau_cuda || plateau_cudaemu

package infer

import (
	"math"
	"slices"
	"testing"

	"github.com/plateau-lab/plateau/internal/golden"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/kernels/cuda"
)

// TestCUDAGenerateMatchesCPU runs the golden cases on the CUDA device (a
// GPU, or the emulated GPU) in fp32: the score within 1e-5 of the CPU's,
// PyTorch's greedy continuation from the KV cache, and prompts of three
// lengths decoded in one batch (sequences at different positions, the
// inference kernels' case) giving the CPU's tokens.
func TestCUDAGenerateMatchesCPU(t *testing.T) {
	golden.ForEach(t, func(t *testing.T, gc *golden.Case) {
		gpu, err := cuda.New(0, cuda.FP32)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := gpu.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		open := func(dev kernels.Device) *Model {
			m, err := Open(dev, gc.Dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(m.Close)
			return m
		}
		g, c := open(gpu), open(kernels.NewCPU(0))
		sg, err := g.Score(gc.InputIDs)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := c.Score(gc.InputIDs)
		if err != nil {
			t.Fatal(err)
		}
		if rel := math.Abs(sg.Loss-sc.Loss) / sc.Loss; rel > 1e-5 {
			t.Errorf("score loss %v, CPU %v", sg.Loss, sc.Loss)
		}
		n := len(gc.GreedyContinuation)
		p := gc.GreedyPrompt
		prompts := [][]int32{p, p[:max(1, len(p)-2)], p[:max(1, len(p)-5)]}
		opt := GenerateOptions{MaxTokens: n}
		got, err := g.Generate(prompts, opt)
		if err != nil {
			t.Fatal(err)
		}
		want, err := c.Generate(prompts, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got[0].IDs, gc.GreedyContinuation) {
			t.Errorf("greedy continuation %v, PyTorch %v", got[0].IDs, gc.GreedyContinuation)
		}
		for i := range prompts {
			if !slices.Equal(got[i].IDs, want[i].IDs) {
				t.Errorf("prompt of %d tokens: %v, CPU %v", len(prompts[i]), got[i].IDs, want[i].IDs)
			}
		}
		if err := gpu.Sync(); err != nil {
			t.Error(err)
		}
	})
}
