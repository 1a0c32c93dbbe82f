package train

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
)

// patterned returns a token stream with structure a tiny model learns fast:
// each token is usually its predecessor plus one.
func patterned(n, vocab int, seed uint64) []int32 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]int32, n)
	for i := 1; i < n; i++ {
		if r.IntN(10) == 0 {
			out[i] = int32(r.IntN(vocab))
		} else {
			out[i] = (out[i-1] + 1) % int32(vocab)
		}
	}
	return out
}

// tiny returns the model, data and options of a run small enough to train
// in a fraction of a second: 2 layers of width 32, 40 tokens, batches of
// 2 x 4 x 16 tokens, a checkpoint every 4 steps and a metrics line every 2.
func tiny(out string, steps int) (model.Config, Data, Options) {
	cfg := model.NewConfig(model.Shape{Hidden: 32, Layers: 2, Heads: 4, KVHeads: 2}, 40, 64)
	d := Data{Train: patterned(20000, 40, 1), Val: patterned(4000, 40, 2), ValBytesPerToken: 1}
	opt := Options{
		Batch: 4, Seq: 16, Accum: 2, Steps: steps,
		Schedule: Schedule{Kind: "cosine", LR: 3e-3, MinLR: 3e-4, Warmup: 3},
		AdamW:    DefaultAdamW, Seed: 7, EvalEvery: 5, EvalBatches: 4, SaveEvery: 4, LogEvery: 2,
		Out: out,
	}
	return cfg, d, opt
}

func tinyRun(t *testing.T, out string, steps, stopAt int, resume bool) (*Trainer, Result) {
	t.Helper()
	cfg, _, _ := tiny(out, steps)
	return tinyRunOf(t, cfg, out, steps, stopAt, resume)
}

// tinyLSTM is tiny's run with a two-layer LSTM of width 32 instead.
func tinyLSTM() model.Config { return model.NewLSTMConfig(32, 2, 40, 64) }

// tinyRunOf is tinyRun with the model cfg.
func tinyRunOf(t *testing.T, cfg model.Config, out string, steps, stopAt int, resume bool) (*Trainer, Result) {
	t.Helper()
	_, d, opt := tiny(out, steps)
	opt.StopAt, opt.Resume = stopAt, resume
	tr, err := New(kernels.NewCPU(2), cfg, d, opt)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Run()
	if err != nil {
		t.Fatal(err)
	}
	return tr, res
}

// TestResumeExact: k steps, a checkpoint, a new process resuming to 2k must
// give the same weights bit for bit as 2k steps in one go, for both
// families.
func TestResumeExact(t *testing.T) {
	for _, f := range []model.Family{model.Transformer, model.LSTM} {
		t.Run(f.String(), func(t *testing.T) {
			cfg, _, _ := tiny("", 1)
			minDrop := 0.3
			if f == model.LSTM {
				cfg, minDrop = tinyLSTM(), 0.2 // it learns the pattern more slowly
			}
			testResumeExact(t, cfg, minDrop)
		})
	}
}

func testResumeExact(t *testing.T, cfg model.Config, minDrop float64) {
	const k = 7
	dir := t.TempDir()
	whole, res := tinyRunOf(t, cfg, filepath.Join(dir, "whole"), 2*k, 0, false)
	defer whole.Close()
	if !(res.ValLoss < res.FirstVal-minDrop) {
		t.Errorf("validation loss went from %.3f to %.3f: want a drop of at least %v", res.FirstVal, res.ValLoss, minDrop)
	}
	first, _ := tinyRunOf(t, cfg, filepath.Join(dir, "split"), 2*k, k, false)
	first.Close()
	second, res2 := tinyRunOf(t, cfg, filepath.Join(dir, "split"), 2*k, 0, true)
	defer second.Close()
	if res2.Steps != 2*k {
		t.Fatalf("resumed run ended at step %d, want %d", res2.Steps, 2*k)
	}
	a, _ := whole.Weights().Download()
	b, _ := second.Weights().Download()
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			t.Fatalf("%s differs after resume", whole.Weights().Specs[i].Name)
		}
	}
	// The metrics log of the split run holds each step once.
	raw, err := os.ReadFile(filepath.Join(dir, "split", "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	whole2, _ := os.ReadFile(filepath.Join(dir, "whole", "metrics.jsonl"))
	if n, m := countLines(raw), countLines(whole2); n != m {
		t.Errorf("split run logged %d lines, whole run %d", n, m)
	}
	// The checkpoint loads as a model folder of the run's family.
	c, _, err := model.LoadFolder(ModelDir(filepath.Join(dir, "split")))
	if err != nil {
		t.Fatal(err)
	}
	if c != cfg {
		t.Errorf("the checkpoint's config is %+v, the run's %+v", c, cfg)
	}
	t.Logf("validation loss %.3f -> %.3f", res.FirstVal, res.ValLoss)
}

func countLines(b []byte) int {
	n := 0
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n
}

// TestDeterministic: two runs with the same seed give the same weights bit
// for bit, on a shape whose weight-gradient GEMMs split k over threads.
func TestDeterministic(t *testing.T) {
	cfg := model.NewConfig(model.Shape{Hidden: 128, Layers: 1, Heads: 4, KVHeads: 4}, 256, 256)
	tokens := patterned(1<<15, 256, 3)
	weights := func() [][]float32 {
		opt := Options{Batch: 8, Seq: 256, Steps: 3, Schedule: Schedule{Kind: "constant", LR: 1e-3},
			AdamW: DefaultAdamW, Seed: 5, EvalBatches: 1}
		tr, err := New(kernels.NewCPU(3), cfg, Data{Train: tokens, Val: tokens}, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		for i := 0; i < opt.Steps; i++ {
			if _, _, err := tr.Step(i); err != nil {
				t.Fatal(err)
			}
		}
		w, err := tr.Weights().Download()
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	a, b := weights(), weights()
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			t.Fatalf("parameter %d differs between two runs with the same seed", i)
		}
	}
}

// TestFinalEvalBatches: the evaluation at the end of a run uses the larger
// final set of validation batches, the passes along the way the usual one.
func TestFinalEvalBatches(t *testing.T) {
	cfg, d, opt := tiny(t.TempDir(), 10)
	opt.FinalEvalBatches = 40
	tr, err := New(kernels.NewCPU(2), cfg, d, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	res, err := tr.Run()
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.val) != opt.EvalBatches || len(tr.valFinal) != 40 {
		t.Fatalf("%d and %d validation batches, want %d and 40", len(tr.val), len(tr.valFinal), opt.EvalBatches)
	}
	final, err := tr.evaluate(tr.valFinal, nil)
	if err != nil {
		t.Fatal(err)
	}
	usual, err := tr.Evaluate()
	if err != nil {
		t.Fatal(err)
	}
	if res.ValLoss != final || final == usual {
		t.Errorf("final val loss %v: want the 40-batch loss %v, not the %d-batch %v", res.ValLoss, final, opt.EvalBatches, usual)
	}
	recs, err := ReadMetricsFile(filepath.Join(opt.Out, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if last := recs[len(recs)-1]; last.ValLoss == nil || *last.ValLoss != final {
		t.Errorf("the last metrics line has val loss %v, want %v", last.ValLoss, final)
	}
	opt.FinalEvalBatches = -1
	if _, err := New(kernels.NewCPU(1), cfg, d, opt); err == nil || !strings.Contains(err.Error(), "final evaluation batches -1") {
		t.Errorf("negative final evaluation batches: error %v", err)
	}
}
