//go:build plateau_cuda || plateau_cudaemu

package main

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/plateau-lab/plateau/train"
)

// TestCUDAMatchesCPU trains the tiny run of each model family with -device
// cuda (a GPU, or the emulated GPU under -tags plateau_cudaemu) in fp32 and
// on the CPU: every logged training and validation loss must agree within
// 1e-3 relative (only the order of float32 sums differs), and the
// checkpoint must be written.
func TestCUDAMatchesCPU(t *testing.T) {
	for _, arch := range []string{"transformer", "lstm"} {
		t.Run(arch, func(t *testing.T) { testCUDAMatchesCPU(t, arch) })
	}
}

func testCUDAMatchesCPU(t *testing.T, arch string) {
	dir := t.TempDir()
	losses := func(device string) []train.Record {
		out := filepath.Join(dir, device)
		if err := run(tinyArgs(out, "-arch", arch, "-device", device, "-precision", "fp32")); err != nil {
			t.Fatalf("-device %s: %v", device, err)
		}
		recs, err := train.ReadMetricsFile(filepath.Join(out, "metrics.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	got, want := losses("cuda"), losses("cpu")
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("cuda logged %d metrics lines, cpu %d", len(got), len(want))
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-3*math.Abs(b) }
	for i := range want {
		g, w := got[i], want[i]
		if g.Step != w.Step || !near(g.TrainLoss, w.TrainLoss) {
			t.Errorf("line %d: step %d loss %.6f, cpu step %d loss %.6f", i, g.Step, g.TrainLoss, w.Step, w.TrainLoss)
		}
		if (g.ValLoss == nil) != (w.ValLoss == nil) || (w.ValLoss != nil && !near(*g.ValLoss, *w.ValLoss)) {
			t.Errorf("line %d: validation loss %v, cpu %v", i, g.ValLoss, w.ValLoss)
		}
	}
}
