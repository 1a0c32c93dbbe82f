package train

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
)

// TestDiverged: a NaN or infinite loss or gradient stops the run with a
// *DivergedError that names the step, the tensor and the last good loss;
// the bad step changes neither the weights nor the AdamW moments, no
// metrics line is written for it, and the checkpoint on disk stays the last
// good one, with finite weights.
func TestDiverged(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	grad := func(k int) func(tr *Trainer) kernels.Buf {
		return func(tr *Trainer) kernels.Buf {
			g := tr.Weights().Grad
			return g[(k+len(g))%len(g)]
		}
	}
	trainLoss := func(tr *Trainer) kernels.Buf { return tr.prog.LossBuf() }
	cases := []struct {
		name     string
		lr       float64 // a constant learning rate; 0 keeps tiny's schedule
		kernel   string  // what faultDevice poisons ("": nothing)
		target   func(tr *Trainer) kernels.Buf
		value    float32
		call     int    // the matching call that poisons
		step     int    // the step that diverges
		tensor   string // "" = the parameter of grad(param)
		param    int
		saved    int // the step of the checkpoint left on disk
		saveEach int
	}{
		// A learning rate of 1e30 makes the first update put weights near
		// 1e30; the next forward pass overflows.
		{name: "learning rate blows up", lr: 1e30, step: 2, tensor: TensorLoss, saved: 1, saveEach: 1},
		{name: "NaN gradient", kernel: "SumSquares", target: grad(3), param: 3, value: nan, call: 6, step: 6, saved: 4, saveEach: 4},
		{name: "Inf gradient of the last parameter", kernel: "SumSquares", target: grad(-1), param: -1, value: inf, call: 5, step: 5, saved: 4, saveEach: 2},
		{name: "NaN loss", kernel: "CrossEntropyForward", target: trainLoss, value: nan, call: 11, step: 6, tensor: TensorLoss, saved: 4, saveEach: 4},
		{name: "norm overflows", kernel: "SumSquares", target: grad(2), value: 1e30, call: 7, step: 7, tensor: TensorGradNorm, saved: 6, saveEach: 3},
		{name: "NaN before any checkpoint", kernel: "SumSquares", target: grad(0), param: 0, value: nan, call: 2, step: 2, saved: 0, saveEach: 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			cfg, d, opt := tiny(out, 12)
			opt.LogEvery, opt.SaveEvery = 1, tc.saveEach
			if tc.lr > 0 {
				opt.Schedule = Schedule{Kind: "constant", LR: tc.lr}
			}
			dev := &faultDevice{Device: kernels.NewCPU(1), kernel: tc.kernel, value: tc.value, poison: at(tc.call)}
			tr, err := New(dev, cfg, d, opt)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			var before [][][]float32
			if tc.kernel != "" {
				dev.target = tc.target(tr)
				dev.seen = func(call int) {
					if call == tc.call {
						before = snapshot(t, tr.Weights())
					}
				}
			}
			_, err = tr.Run()
			var de *DivergedError
			if !errors.As(err, &de) {
				t.Fatalf("Run: %v, want a *DivergedError", err)
			}
			want := tc.tensor
			if want == "" {
				k := tc.param
				if k < 0 {
					k += len(tr.Weights().Specs)
				}
				want = tr.Weights().Specs[k].Name
			}
			if de.Step != tc.step || de.Tensor != want {
				t.Errorf("diverged at step %d in %q, want step %d in %q", de.Step, de.Tensor, tc.step, want)
			}
			if de.Checkpoint != ModelDir(out) || de.CheckpointStep != tc.saved {
				t.Errorf("error names checkpoint %s from step %d, want %s from step %d", de.Checkpoint, de.CheckpointStep, ModelDir(out), tc.saved)
			}
			mention := want
			if want == TensorGradNorm {
				mention = "gradient norm"
			}
			for _, s := range []string{mention, "step " + strconv.Itoa(tc.step)} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q does not mention %q", err, s)
				}
			}
			recs := readMetricsFile(t, out)
			last := recs[len(recs)-1]
			if last.Step != tc.step-1 || de.LastLoss != last.TrainLoss {
				t.Errorf("last metrics line: step %d loss %v; error's last loss %v; want step %d and the same loss", last.Step, last.TrainLoss, de.LastLoss, tc.step-1)
			}
			if before != nil {
				after := snapshot(t, tr.Weights())
				for i, what := range []string{"weights", "first moments", "second moments"} {
					if !sameTensors(before[i], after[i]) {
						t.Errorf("the diverged step changed the %s", what)
					}
				}
			}
			checkSaved(t, out, tc.saved)
		})
	}
}

// checkSaved checks that the run folder out holds a checkpoint from step
// (none if step is 0) with finite weights and moments, and no temporary
// folder.
func checkSaved(t *testing.T, out string, step int) {
	t.Helper()
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".model") {
			t.Errorf("%s left in the run folder", e.Name())
		}
	}
	if step == 0 {
		if _, err := os.Stat(ModelDir(out)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a checkpoint was written before the first save step: %v", err)
		}
		return
	}
	ck, err := ReadCheckpoint(ModelDir(out))
	if err != nil {
		t.Fatal(err)
	}
	if ck.State.Step != step {
		t.Errorf("checkpoint from step %d, want %d", ck.State.Step, step)
	}
	for _, ts := range [][][]float32{ck.Params, ck.M, ck.V} {
		for _, x := range ts {
			for _, v := range x {
				if !finite(float64(v)) {
					t.Fatalf("checkpoint holds %v", v)
				}
			}
		}
	}
}

// TestNaNSkip: with NaNPolicy.Skip a bad batch is dropped without touching
// the weights or the moments, the step is retried on the next batch at a
// lower learning rate, the metrics say so, and a run stopped after the skip
// and resumed ends bit for bit where the uninterrupted one does.
func TestNaNSkip(t *testing.T) {
	const steps, bad = 10, 3
	run := func(out string, stopAt int, resume bool, poison bool) (*Trainer, Result) {
		cfg, d, opt := tiny(out, steps)
		opt.LogEvery, opt.StopAt, opt.Resume = 1, stopAt, resume
		opt.OnNaN = NaNPolicy{Skip: true, LRFactor: 0.25, MaxSkips: 2}
		dev := &faultDevice{Device: kernels.NewCPU(1), kernel: "SumSquares", value: float32(math.NaN()), poison: at(bad)}
		tr, err := New(dev, cfg, d, opt)
		if err != nil {
			t.Fatal(err)
		}
		if poison {
			dev.target = tr.Weights().Grad[5]
			var snaps [][][][]float32
			dev.seen = func(call int) {
				if call == bad || call == bad+1 {
					snaps = append(snaps, snapshot(t, tr.Weights()))
				}
			}
			defer func() {
				if len(snaps) != 2 {
					t.Fatalf("%d snapshots around the bad batch, want 2", len(snaps))
				}
				for i, what := range []string{"weights", "first moments", "second moments"} {
					if !sameTensors(snaps[0][i], snaps[1][i]) {
						t.Errorf("the skipped batch changed the %s", what)
					}
				}
			}()
		}
		res, err := tr.Run()
		if err != nil {
			t.Fatal(err)
		}
		return tr, res
	}
	dir := t.TempDir()
	whole, res := run(filepath.Join(dir, "whole"), 0, false, true)
	defer whole.Close()
	if res.Steps != steps {
		t.Fatalf("ran %d steps, want %d", res.Steps, steps)
	}
	_, _, opt := tiny("", steps)
	opt.Schedule.Steps = steps
	recs := readMetricsFile(t, filepath.Join(dir, "whole"))
	for _, r := range recs[1:] {
		wantLR, wantSkips := opt.Schedule.At(r.Step-1), 0
		if r.Step >= bad {
			wantLR, wantSkips = wantLR*0.25, 1
		}
		if r.LR != wantLR || r.SkippedBatches != wantSkips {
			t.Errorf("step %d: lr %v, skipped %d; want lr %v, skipped %d", r.Step, r.LR, r.SkippedBatches, wantLR, wantSkips)
		}
	}
	if len(recs) != steps+1 {
		t.Errorf("%d metrics lines, want %d", len(recs), steps+1)
	}
	if got, want := recs[len(recs)-1].Epoch, whole.Epochs(steps+1); got != want {
		t.Errorf("last epoch %v, want %v (the skipped batch counts as read)", got, want)
	}
	ck, err := ReadCheckpoint(ModelDir(filepath.Join(dir, "whole")))
	if err != nil {
		t.Fatal(err)
	}
	if ck.State.Skipped != 1 || ck.State.LRScale != 0.25 {
		t.Errorf("checkpoint state skipped %d, lr scale %v; want 1 and 0.25", ck.State.Skipped, ck.State.LRScale)
	}

	first, _ := run(filepath.Join(dir, "split"), 5, false, true)
	first.Close()
	second, _ := run(filepath.Join(dir, "split"), 0, true, false)
	defer second.Close()
	a, b := snapshot(t, whole.Weights()), snapshot(t, second.Weights())
	for i, what := range []string{"weights", "first moments", "second moments"} {
		if !sameTensors(a[i], b[i]) {
			t.Errorf("%s differ between the uninterrupted run and the one resumed after a skip", what)
		}
	}
}

// TestNaNSkipLimit: a run that keeps meeting bad batches stops after
// MaxSkips skips with a *DivergedError that counts them.
func TestNaNSkipLimit(t *testing.T) {
	out := t.TempDir()
	cfg, d, opt := tiny(out, 10)
	var log strings.Builder
	opt.OnNaN, opt.Log = NaNPolicy{Skip: true, MaxSkips: 2}, &log
	dev := &faultDevice{Device: kernels.NewCPU(1), kernel: "SumSquares", value: float32(math.Inf(-1)), poison: from(5)}
	tr, err := New(dev, cfg, d, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	dev.target = tr.Weights().Grad[1]
	_, err = tr.Run()
	var de *DivergedError
	if !errors.As(err, &de) || de.Step != 5 || de.Skipped != 2 || de.Tensor != tr.Weights().Specs[1].Name {
		t.Fatalf("Run: %#v, want a *DivergedError at step 5 after 2 skips", err)
	}
	if n := strings.Count(log.String(), "batch skipped"); n != 2 {
		t.Errorf("log reports %d skips, want 2:\n%s", n, log.String())
	}
	if !strings.Contains(log.String(), "learning rate now 0.25") {
		t.Errorf("log does not report the learning rate halved twice:\n%s", log.String())
	}
	checkSaved(t, out, 4)
}

func TestNaNPolicyValidate(t *testing.T) {
	cases := []struct {
		p    NaNPolicy
		want string // "" = valid
	}{
		{NaNPolicy{}, ""},
		{NaNPolicy{Skip: true, LRFactor: 1, MaxSkips: 1}, ""},
		{NaNPolicy{LRFactor: -0.5}, "learning-rate factor -0.5"},
		{NaNPolicy{LRFactor: 2}, "learning-rate factor 2"},
		{NaNPolicy{LRFactor: math.NaN()}, "learning-rate factor NaN"},
		{NaNPolicy{MaxSkips: -1}, "max skips -1"},
	}
	for _, tc := range cases {
		err := tc.p.Validate()
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: error %v, want %q", tc.p, err, tc.want)
		}
	}
	cfg, d, opt := tiny(t.TempDir(), 4)
	opt.OnNaN.MaxSkips = -3
	if _, err := New(kernels.NewCPU(1), cfg, d, opt); err == nil || !strings.Contains(err.Error(), "max skips -3") {
		t.Errorf("New with a bad NaN policy: %v", err)
	}
}
