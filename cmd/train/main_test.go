package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSmoke trains a small preset on the built-in corpus end to end and
// checks that the validation loss falls by a real margin, that
// metrics.jsonl has the fields DESIGN.md names, and that -resume of a
// finished run is a no-op that keeps the model.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for about half a minute")
	}
	out := filepath.Join(t.TempDir(), "run")
	args := []string{"-preset", "n200k", "-vocab", "512", "-batch", "8", "-seq", "64", "-steps", "150",
		"-warmup", "15", "-eval-every", "50", "-save-every", "50", "-out", out}
	if err := run(args); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(out, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vals []float64
	s := bufio.NewScanner(f)
	for s.Scan() {
		var r map[string]any
		if err := json.Unmarshal(s.Bytes(), &r); err != nil {
			t.Fatalf("metrics line %q: %v", s.Text(), err)
		}
		for _, k := range []string{"step", "tokens", "train_loss", "lr", "tokens_per_s", "wall_s"} {
			if _, ok := r[k]; !ok {
				t.Errorf("metrics line %q lacks %q", s.Text(), k)
			}
		}
		if v, ok := r["val_loss"].(float64); ok {
			vals = append(vals, v)
		}
	}
	if len(vals) < 2 {
		t.Fatalf("%d validation losses logged", len(vals))
	}
	first, last := vals[0], vals[len(vals)-1]
	t.Logf("validation loss %.3f -> %.3f", first, last)
	if first-last < 1.0 {
		t.Errorf("validation loss fell from %.3f to %.3f: want a drop of at least 1 nat", first, last)
	}
	for _, name := range []string{"config.json", "model.safetensors", "tokenizer.json", "optimizer.safetensors", "trainer_state.json"} {
		if _, err := os.Stat(filepath.Join(out, "model", name)); err != nil {
			t.Errorf("checkpoint: %v", err)
		}
	}
	if err := run(append(args, "-resume")); err != nil {
		t.Errorf("resume of a finished run: %v", err)
	}
}

// TestSyntheticUnique trains briefly on a synthetic source limited to a
// few unique tokens, so that the run makes several epochs.
func TestSyntheticUnique(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	args := []string{"-data", "synthetic:markov1?train=20000&val=4096&doc=256", "-preset", "n100k",
		"-batch", "4", "-seq", "32", "-steps", "24", "-unique", "2049", "-eval-every", "12", "-eval-batches", "2", "-out", out}
	if err := run(args); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(out, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var last struct {
		Step  int     `json:"step"`
		Epoch float64 `json:"epoch"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	// 2049 unique tokens = 64 windows of 32; 24 steps x 4 rows = 96 rows.
	if last.Step != 24 || last.Epoch != 1.5 {
		t.Errorf("last metrics line: step %d, epoch %v; want step 24, epoch 1.5", last.Step, last.Epoch)
	}
	if _, err := os.Stat(filepath.Join(out, "model", "tokenizer.json")); err == nil {
		t.Error("a synthetic run saved a tokenizer.json")
	}
}

func TestBadFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-preset", "huge"}, "unknown preset"},
		{[]string{"-data", "nowhere"}, `flag -data: data "nowhere": unknown source kind`},
		{[]string{"-data", "synthetic:nosuch"}, "flag -data"},
		{[]string{"-unique", "-5"}, "flag -unique -5"},
		{[]string{"-unique", "1000000000", "-steps", "2"}, "flag -unique 1000000000: the training split has only"},
		{[]string{"-config", "/does/not/exist.json"}, "flag -config"},
		{[]string{"-vocab", "100"}, "flag -vocab"},
		{[]string{"-schedule", "linear", "-steps", "2"}, `schedule "linear"`},
		{[]string{"-seq", "100", "-config", "../../model/testdata/golden/tiny-mha/config.json"}, "max_position_embeddings 48"},
		{[]string{"-seq", "16", "-config", "../../model/testdata/golden/tiny-mha/config.json"}, "vocab_size 64 is smaller"},
		{[]string{"-lr", "-1"}, "flags -schedule"},
		{[]string{"-beta2", "1"}, "beta2"},
		{[]string{"-tokens", "10"}, "flag -tokens"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"-device", "tpu"}, "flag -device"},
		{[]string{"-precision", "bf16"}, "flag -device: device cpu: precision"},
	}
	for _, c := range cases {
		err := run(append(c.args, "-out", t.TempDir()))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
}
