package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plateau-lab/plateau/scaling"

	"github.com/plateau-lab/plateau/internal/testfs"
)

// microArgs is a sweep of two tiny presets x two budgets (20 and 40 steps
// of 128 tokens) on a synthetic source, in mode, into out.
func microArgs(mode, out string) []string {
	return []string{"-presets", "n100k,n200k", "-tokens", "2.56k,5120", "-mode", mode,
		"-data", "synthetic:markov1?train=20000&val=4096&doc=256", "-seq", "32", "-batch-tokens", "128",
		"-min-steps", "10", "-evals", "4", "-eval-batches", "2", "-warmup-frac", "0.1", "-threads", "1", "-out", out}
}

// files maps every file under dir to its modification time.
func files(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	m, err := testfs.ModTimes(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMicroSweep runs a real micro sweep through the command in both
// modes and checks results.csv and every run folder, that a second
// invocation redoes nothing, and that deleting one result.json makes
// exactly that run resume.
func TestMicroSweep(t *testing.T) {
	for _, mode := range scaling.Modes {
		t.Run(mode, func(t *testing.T) {
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			start := time.Now()
			if err := run(microArgs(mode, out), &stdout, &stderr); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			t.Logf("%s micro sweep: %s", mode, time.Since(start).Round(time.Millisecond))
			f, err := os.Open(filepath.Join(out, "results.csv"))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(f).ReadAll()
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 5 || rows[0][0] != "run" {
				t.Fatalf("results.csv: %d lines, want a header and 4 rows", len(rows))
			}
			col := map[string]int{}
			for i, h := range rows[0] {
				col[h] = i
			}
			for _, want := range []string{"run", "preset", "params", "tokens", "flops", "loss", "val_bpb", "train_loss", "steps", "wall_s", "status"} {
				if _, ok := col[want]; !ok {
					t.Errorf("results.csv lacks column %s", want)
				}
			}
			var names []string
			for _, r := range rows[1:] {
				names = append(names, r[col["run"]])
				if r[col["status"]] != "done" || r[col["loss"]] == "" {
					t.Errorf("row %v: want status done with a loss", r)
				}
				for _, name := range []string{"config.json", "result.json", "metrics.jsonl", "model/config.json", "model/model.safetensors", "model/optimizer.safetensors"} {
					if _, err := os.Stat(filepath.Join(out, "runs", r[col["run"]], name)); err != nil {
						t.Errorf("run folder: %v", err)
					}
				}
			}
			if want := "n100k-D2.56k,n100k-D5.12k,n200k-D2.56k,n200k-D5.12k"; strings.Join(names, ",") != want {
				t.Errorf("results.csv runs %v, want %s", names, want)
			}
			if _, err := os.Stat(filepath.Join(out, "runs", "n100k-stable")); (err == nil) != (mode == "wsd") {
				t.Errorf("stable run folder in %s mode: %v", mode, err)
			}

			before := files(t, out)
			stderr.Reset()
			if err := run(microArgs(mode, out), &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			for path, m := range files(t, out) {
				if !before[path].Equal(m) && filepath.Base(path) != "results.csv" {
					t.Errorf("the second invocation rewrote %s", path)
				}
			}
			if strings.Contains(stderr.String(), "sweep: run ") || strings.Count(stderr.String(), "skipped") != 4 {
				t.Errorf("the second invocation trained or did not skip every run:\n%s", stderr.String())
			}

			redo := filepath.Join(out, "runs", "n200k-D2.56k")
			if err := os.Remove(filepath.Join(redo, "result.json")); err != nil {
				t.Fatal(err)
			}
			before = files(t, out)
			stderr.Reset()
			if err := run(microArgs(mode, out), &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			for path, m := range files(t, out) {
				if !before[path].Equal(m) && !strings.HasPrefix(path, redo+string(filepath.Separator)) && filepath.Base(path) != "results.csv" {
					t.Errorf("redoing %s rewrote %s", redo, path)
				}
			}
			log := stderr.String()
			if strings.Count(log, "sweep: run ") != 1 || !strings.Contains(log, "n200k-D2.56k: resumed from") {
				t.Errorf("want exactly n200k-D2.56k resumed from its checkpoint:\n%s", log)
			}
			if _, err := os.Stat(filepath.Join(redo, "result.json")); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestIndexJobs emits a Slurm script, runs -index for every array task of
// it, and checks that LoadRuns finds every point exactly once.
func TestIndexJobs(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run(append(microArgs("wsd", out), "-emit", "slurm"), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(out, "sweep.sbatch"))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for line := range strings.SplitSeq(string(raw), "\n") {
		if r, ok := strings.CutPrefix(line, "#SBATCH --array=0-"); ok {
			if _, err := fmt.Sscanf(r, "%d", &n); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if n != 2 {
		t.Fatalf("array of %d tasks, want 2 (one per preset in wsd mode)", n)
	}
	plan := filepath.Join(out, "plan.json")
	for i := range n {
		args := []string{"-plan", plan, "-out", out, "-index", fmt.Sprint(i), "-threads", "1"}
		if err := run(args, &stdout, &stderr); err != nil {
			t.Fatalf("task %d: %v\n%s", i, err, stderr.String())
		}
	}
	runs, problems, err := scaling.LoadRuns(out)
	if err != nil || len(problems) > 0 {
		t.Fatalf("LoadRuns: %v, %v", err, problems)
	}
	seen := map[string]int{}
	for _, r := range runs {
		seen[r.Name]++
	}
	if len(runs) != 4 || len(seen) != 4 {
		t.Errorf("LoadRuns: %d runs (%d distinct), want the 4 points once each", len(runs), len(seen))
	}
	err = run([]string{"-plan", plan, "-out", out, "-index", "2"}, &stdout, &stderr)
	if !isUsage(err) || !strings.Contains(err.Error(), "flag -index 2") {
		t.Errorf("-index past the last job: %v", err)
	}
}

func TestDryRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sweep")
	var stdout, stderr bytes.Buffer
	args := append(microArgs("wsd", out), "-dry-run", "-flops", "1e10")
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	text := stdout.String()
	for _, want := range []string{"n100k-stable", "n200k-D5.12k", "wsd from step 32", "total: 6 points", "FLOPs to train", "estimate:", "nominal"} {
		if !strings.Contains(text, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, text)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a dry run made the sweep folder")
	}
	stdout.Reset()
	if err := run(append(args, "-on-nan", "skip"), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if want := "multiplies the learning rate by 0.5, at most 5 times per run"; !strings.Contains(stdout.String(), want) {
		t.Errorf("dry run with -on-nan skip does not say %q:\n%s", want, stdout.String())
	}
}

func TestEmitKubernetesFlags(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run(append(microArgs("cosine", out), "-emit", "k8s"), &stdout, &stderr)
	if !isUsage(err) || !strings.Contains(err.Error(), "flag -image") {
		t.Errorf("-emit k8s without -image: %v", err)
	}
	args := append(microArgs("cosine", out), "-emit", "k8s", "-image", "plateau:gpu", "-claim", "shared", "-parallelism", "2")
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(out, "sweep-job.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"completionMode: Indexed", "completions: 4", "parallelism: 2", `"$(JOB_COMPLETION_INDEX)"`, `"-device"`, `"cuda"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("manifest lacks %s:\n%s", want, raw)
		}
	}
	if !strings.Contains(stdout.String(), "kubectl apply -f") {
		t.Errorf("output %q does not say how to submit", stdout.String())
	}
}

func TestBadFlags(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args  []string
		want  string
		usage bool // exit status 2
	}{
		{[]string{"-presets", "n100k", "-tokens", "1e6"}, "flag -out", true},
		{[]string{"-presets", "n100k,huge", "-tokens", "1e6", "-out", dir}, "flag -presets", true},
		{[]string{"-tokens", "1e6", "-out", dir}, "flag -presets", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6,lots", "-out", dir}, "flag -tokens", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6,1e6", "-out", dir}, "flag -tokens", true},
		{[]string{"-presets", "n100k", "-flops", "-1", "-out", dir}, "flag -flops", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-mode", "linear", "-out", dir}, "flag -mode", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-mode", "wsd", "-decay-frac", "1.5", "-out", dir}, "flag -decay-frac", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-batch-tokens", "1000", "-out", dir}, "flag -batch-tokens", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-lr", "-1", "-out", dir}, "flag -lr", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-vocab", "100", "-out", dir}, "flag -tokenizer / -vocab", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-unique", "abc", "-out", dir}, "flag -unique", true},
		{[]string{"-presets", "n100k", "-tokens", "100", "-out", dir}, "flag -min-steps", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-emit", "pbs", "-out", dir}, "flag -emit", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-index", "-2", "-out", dir}, "flag -index", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-device", "tpu", "-out", dir}, "flag -device", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-nosuch", "-out", dir}, "-nosuch", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-out", dir, "extra"}, "unexpected argument", true},
		{[]string{"-plan", "x.json", "-presets", "n100k", "-out", dir}, "flag -presets: not with -plan", true},
		{[]string{"-plan", "x.json", "-on-nan", "skip", "-out", dir}, "flag -on-nan: not with -plan", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-on-nan", "retry", "-out", dir}, "flag -on-nan", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-nan-max-skips", "3", "-out", dir}, "only with -on-nan skip", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-on-nan", "skip", "-nan-max-skips", "0", "-out", dir}, "flag -nan-max-skips", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-on-nan", "skip", "-nan-lr-factor", "2", "-out", dir}, "flag -nan-lr-factor", true},
		{[]string{"-presets", "n100k", "-tokens", "1e6", "-saves", "-1", "-out", dir}, "flag -saves", true},
		{[]string{"-plan", filepath.Join(dir, "missing.json"), "-out", dir}, "missing.json", false},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		err := run(c.args, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) || isUsage(err) != c.usage {
			t.Errorf("%q: error %v (usage %v), want one mentioning %q (usage %v)", c.args, err, isUsage(err), c.want, c.usage)
		}
	}
}
