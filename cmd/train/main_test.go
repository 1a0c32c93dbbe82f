package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/train"
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
		{[]string{"-on-nan", "retry"}, `flag -on-nan "retry"`},
		{[]string{"-nan-lr-factor", "0"}, "flag -nan-lr-factor 0"},
		{[]string{"-nan-lr-factor", "1.5"}, "flag -nan-lr-factor 1.5"},
		{[]string{"-nan-max-skips", "0"}, "flag -nan-max-skips 0"},
	}
	for _, c := range cases {
		err := run(append(c.args, "-out", t.TempDir()))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
}

// tinyArgs is a run of a few steps on a synthetic source, small enough to
// take a fraction of a second.
func tinyArgs(out string, extra ...string) []string {
	args := []string{"-data", "synthetic:markov1?train=20000&val=4096&doc=256", "-preset", "n100k",
		"-batch", "4", "-seq", "32", "-steps", "8", "-save-every", "2", "-eval-every", "4", "-eval-batches", "1",
		"-threads", "1", "-out", out}
	return append(args, extra...)
}

// TestDiverged: a learning rate that blows the weights up ends the run with
// a *train.DivergedError and exit status 3, leaving the checkpoint of the
// last good step; -on-nan skip drops bad batches up to -nan-max-skips and
// then stops the same way.
func TestDiverged(t *testing.T) {
	cases := []struct {
		name  string
		extra []string
		skips int
	}{
		{"stop", nil, 0},
		{"skip", []string{"-on-nan", "skip", "-nan-max-skips", "2", "-nan-lr-factor", "0.1"}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			err := run(tinyArgs(out, append([]string{"-lr", "1e30", "-schedule", "constant", "-warmup", "0", "-save-every", "1"}, tc.extra...)...))
			var d *train.DivergedError
			if !errors.As(err, &d) || d.Skipped != tc.skips || d.Step != 2 {
				t.Fatalf("run: %v; want a *train.DivergedError at step 2 after %d skips", err, tc.skips)
			}
			if got := exitStatus(err); got != exitDiverged {
				t.Errorf("exit status %d, want %d", got, exitDiverged)
			}
			ck, err := train.ReadCheckpoint(train.ModelDir(out))
			if err != nil || ck.State.Step != 1 || d.CheckpointStep != 1 {
				t.Errorf("want the checkpoint of step 1 left and named; error names step %d; reading it: %v", d.CheckpointStep, err)
			}
		})
	}
}

func TestExitStatus(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{flag.ErrHelp, 0},
		{errors.New("flag -data: no such file"), 1},
		{fmt.Errorf("sweep: %w", &train.DivergedError{Step: 3, Tensor: train.TensorLoss}), exitDiverged},
	}
	for _, tc := range cases {
		if got := exitStatus(tc.err); got != tc.want {
			t.Errorf("exitStatus(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestSlowWrites(t *testing.T) {
	cases := []struct {
		value   string
		enabled bool
		err     bool
	}{
		{"", false, false},
		{"1ms", true, false},
		{"0s", true, false},
		{"soon", false, true},
		{"-5ms", false, true},
	}
	for _, tc := range cases {
		open, err := slowWrites(tc.value)
		if (open != nil) != tc.enabled || (err != nil) != tc.err {
			t.Errorf("slowWrites(%q) = %v, %v; want enabled %v, error %v", tc.value, open != nil, err, tc.enabled, tc.err)
		}
		if err != nil && !strings.Contains(err.Error(), slowWritesEnv) {
			t.Errorf("slowWrites(%q): error %q does not name %s", tc.value, err, slowWritesEnv)
		}
	}
	t.Setenv(slowWritesEnv, "soon")
	if err := run(tinyArgs(t.TempDir())); err == nil || !strings.Contains(err.Error(), slowWritesEnv) {
		t.Errorf("run with %s=soon: %v", slowWritesEnv, err)
	}
}

// TestResumeTokenizerAfterCrash: a run killed between the two renames of a
// checkpoint save has no model/ folder, only the complete old one aside;
// -resume must put it back before it looks for the run's tokenizer, and go
// on with that tokenizer (here of 300 tokens, while the flags now ask for a
// new one of 400, which the checkpoint's model cannot take and this corpus
// cannot even train).
func TestResumeTokenizerAfterCrash(t *testing.T) {
	corpus := t.TempDir()
	words := strings.Fields("the a plateau loss falls as a power law of data and parameters until it does not")
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 40 {
		var b strings.Builder
		for range 300 {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteByte(' ')
		}
		if err := os.WriteFile(filepath.Join(corpus, fmt.Sprintf("doc%02d.txt", i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	base := []string{"-data", "dir:" + corpus, "-preset", "n100k", "-batch", "4", "-seq", "32", "-save-every", "5",
		"-eval-every", "5", "-eval-batches", "1", "-threads", "1", "-out", out}
	if err := run(append(base, "-vocab", "300", "-steps", "10")); err != nil {
		t.Fatal(err)
	}
	model := train.ModelDir(out)
	if err := os.Rename(model, filepath.Join(out, ".model.old")); err != nil {
		t.Fatal(err)
	}
	if err := run(append(base, "-vocab", "400", "-steps", "15", "-resume")); err != nil {
		t.Fatalf("resume after a crash between the renames: %v", err)
	}
	ck, err := train.ReadCheckpoint(model)
	if err != nil {
		t.Fatal(err)
	}
	if ck.State.Step != 15 || ck.Config.VocabSize != 300 {
		t.Errorf("checkpoint at step %d with vocab %d, want step 15 and the first run's vocab 300", ck.State.Step, ck.Config.VocabSize)
	}
	recs, err := train.ReadMetricsFile(filepath.Join(out, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		if r.Step <= 0 && i > 0 || i > 0 && r.Step <= recs[i-1].Step {
			t.Errorf("metrics line %d is step %d after step %d: a step logged twice", i, r.Step, recs[i-1].Step)
		}
	}
}
