package train

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
)

// TestUniqueTokens: a run limited to U unique tokens repeats them in epochs,
// reports the epochs it made, and logs them in metrics.jsonl.
func TestUniqueTokens(t *testing.T) {
	cfg := model.NewConfig(model.Shape{Hidden: 32, Layers: 1, Heads: 4, KVHeads: 2}, 40, 64)
	d := Data{Train: patterned(20000, 40, 1), Val: patterned(2000, 40, 2)}
	out := t.TempDir()
	// 513 unique tokens = 32 windows of 16; 12 steps x 2 x 4 rows = 96 rows = 3 epochs.
	opt := Options{Batch: 4, Seq: 16, Accum: 2, Steps: 12, UniqueTokens: 513,
		Schedule: Schedule{Kind: "constant", LR: 1e-3}, AdamW: DefaultAdamW, Seed: 1,
		EvalBatches: 1, LogEvery: 4, Out: out}
	tr, err := New(kernels.NewCPU(1), cfg, d, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	res, err := tr.Run()
	if err != nil {
		t.Fatal(err)
	}
	if res.Epochs != 3 {
		t.Errorf("Result.Epochs = %v, want 3", res.Epochs)
	}
	f, err := os.Open(filepath.Join(out, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var last Record
	for s := bufio.NewScanner(f); s.Scan(); {
		if err := json.Unmarshal(s.Bytes(), &last); err != nil {
			t.Fatal(err)
		}
	}
	if last.Step != 12 || last.Epoch != 3 {
		t.Errorf("last metrics line: step %d epoch %v, want step 12 epoch 3", last.Step, last.Epoch)
	}

	for _, u := range []int{-1, 20001} {
		opt.UniqueTokens = u
		if _, err := New(kernels.NewCPU(1), cfg, d, opt); err == nil || !strings.Contains(err.Error(), "unique tokens") {
			t.Errorf("UniqueTokens %d: error %v, want one naming unique tokens", u, err)
		}
	}
}
