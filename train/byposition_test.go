package train

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
)

// TestByPosition: the final loss by position has one finite value per
// position, averages to the final loss (every position counts the same
// windows), and is measured again, the same, when a finished run is
// resumed from its last checkpoint.
func TestByPosition(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	_, d, opt := tiny(out, 6)
	cfg := tinyLSTM()
	opt.ByPosition, opt.Resume = true, true
	run := func() Result {
		tr, err := New(kernels.NewCPU(2), cfg, d, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		res, err := tr.Run()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := run()
	if len(res.ValLossByPosition) != opt.Seq {
		t.Fatalf("%d positions, want %d", len(res.ValLossByPosition), opt.Seq)
	}
	var mean float64
	for i, l := range res.ValLossByPosition {
		if !(l > 0) || math.IsInf(l, 0) {
			t.Fatalf("position %d: loss %v", i+1, l)
		}
		mean += l / float64(opt.Seq)
	}
	if math.Abs(mean-res.ValLoss) > 1e-4*res.ValLoss {
		t.Errorf("positions average %.6f, the final loss is %.6f", mean, res.ValLoss)
	}
	again := run()
	if !slices.Equal(again.ValLossByPosition, res.ValLossByPosition) {
		t.Errorf("resumed at the end: %v, first %v", again.ValLossByPosition, res.ValLossByPosition)
	}
}
