package train

import (
	"math"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
)

// curveRun trains a model wide enough for the CPU device's parallel paths
// (the weight-gradient GEMMs split k over the threads; the reductions cut
// their input in one chunk per thread) for a few steps with a metrics line
// per step, on a device of the given threads under the given GOMAXPROCS,
// and returns the loss curve it logged and the final weights.
func curveRun(t *testing.T, out string, threads, procs int) ([]Record, [][]float32) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	cfg := model.NewConfig(model.Shape{Hidden: 128, Layers: 1, Heads: 4, KVHeads: 2}, 256, 256)
	tokens := patterned(1<<15, 256, 3)
	opt := Options{Batch: 8, Seq: 256, Steps: 4, Schedule: Schedule{Kind: "constant", LR: 1e-3},
		AdamW: DefaultAdamW, Seed: 5, EvalEvery: 2, EvalBatches: 1, LogEvery: 1, Out: out}
	dev := kernels.NewCPU(threads)
	defer dev.Close()
	tr, err := New(dev, cfg, Data{Train: tokens, Val: tokens}, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Run(); err != nil {
		t.Fatal(err)
	}
	w, err := tr.Weights().Download()
	if err != nil {
		t.Fatal(err)
	}
	return readMetricsFile(t, out), w
}

// TestLossCurveDeterministic: the same seed on the same number of device
// threads gives the same loss curve (train loss, gradient norm and
// validation loss of every step) and the same final weights bit for bit,
// whatever GOMAXPROCS is: the CPU kernels cut their work by the device's
// thread count, never by the scheduler. A different thread count changes
// how the split-k GEMMs of the weight gradients group their sums, so the
// weights may differ in the last bits (and with them, over a long run, the
// loss); the curve must stay within float32 rounding of the other
// (relative 1e-5).
func TestLossCurveDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("trains five 8x256-token runs")
	}
	dir := t.TempDir()
	ref, refW := curveRun(t, filepath.Join(dir, "ref"), 2, 2)
	cases := []struct {
		name           string
		threads, procs int
		exact          bool
	}{
		{"same settings again", 2, 2, true},
		{"GOMAXPROCS 1", 2, 1, true},
		{"GOMAXPROCS 4", 2, 4, true},
		{"1 device thread", 1, 2, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, gotW := curveRun(t, filepath.Join(dir, string(rune('a'+i))), tc.threads, tc.procs)
			if len(got) != len(ref) {
				t.Fatalf("%d metrics lines, want %d", len(got), len(ref))
			}
			worst, identical := 0.0, true
			for j := range got {
				g, r := got[j], ref[j]
				pairs := [][2]float64{{g.TrainLoss, r.TrainLoss}, {g.GradNorm, r.GradNorm}}
				if g.ValLoss != nil && r.ValLoss != nil {
					pairs = append(pairs, [2]float64{*g.ValLoss, *r.ValLoss})
				} else if g.ValLoss != r.ValLoss {
					t.Fatalf("step %d: validation loss logged in one run only", g.Step)
				}
				for _, p := range pairs {
					if p[0] != p[1] {
						identical = false
						worst = math.Max(worst, math.Abs(p[0]-p[1])/math.Abs(p[1]))
					}
				}
			}
			sameW := sameTensors(gotW, refW)
			t.Logf("loss curve bit-identical: %v (largest relative difference %.3g); final weights bit-identical: %v", identical, worst, sameW)
			if tc.exact && (!identical || !sameW) {
				t.Errorf("loss curve (relative difference %.3g) or weights (identical: %v) differ from the reference; want them bit for bit", worst, sameW)
			}
			if worst > 1e-5 {
				t.Errorf("loss curve differs from the reference by relative %.3g, more than float32 rounding", worst)
			}
		})
	}
}
