package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/scaling"
	"github.com/plateau-lab/plateau/train"
)

// checkComplete checks a finished sweep folder: LoadRuns gives every
// point once with no problem, results.csv lists each once, done, and no
// run folder holds a temporary file left by a kill.
func checkComplete(t *testing.T, out string) {
	t.Helper()
	if left := tempFiles(filepath.Join(out, "runs")); len(left) > 0 {
		t.Errorf("temporary files left in the run folders: %v", left)
	}
	runs, problems, err := scaling.LoadRuns(out)
	if err != nil || len(problems) > 0 {
		t.Fatalf("LoadRuns: %v, problems %v", err, problems)
	}
	var names []string
	for _, r := range runs {
		names = append(names, r.Name)
	}
	if !slices.Equal(names, crashPoints) {
		t.Errorf("LoadRuns: runs %v, want %v once each", names, crashPoints)
	}
	for _, r := range readResults(t, filepath.Join(out, "results.csv")) {
		if r["status"] != scaling.StatusDone || r["loss"] == "" {
			t.Errorf("results.csv row %v: want done with a loss", r)
		}
	}
}

// compareSweeps checks that every run of the sweep in out ended as the
// same run of ref did: the same result (time aside), metrics.jsonl with
// the same steps once each and the same losses, gradient norms and
// learning rates, and the same final weights and AdamW moments, all bit
// for bit.
func compareSweeps(t *testing.T, out, ref string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(ref, "runs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		a, b := filepath.Join(out, "runs", name), filepath.Join(ref, "runs", name)
		if ra, rb := resultKey(t, a), resultKey(t, b); ra != rb {
			t.Errorf("%s: result %s; uninterrupted: %s", name, ra, rb)
		}
		if ma, mb := metricsKey(t, a), metricsKey(t, b); !slices.Equal(ma, mb) {
			t.Errorf("%s: metrics.jsonl (step tokens loss gnorm lr val skipped):\n%s\nuninterrupted:\n%s", name, strings.Join(ma, "\n"), strings.Join(mb, "\n"))
		}
		for _, f := range []string{"model.safetensors", train.OptimizerFile} {
			x, errA := os.ReadFile(filepath.Join(train.ModelDir(a), f))
			y, errB := os.ReadFile(filepath.Join(train.ModelDir(b), f))
			if errA != nil || errB != nil || !bytes.Equal(x, y) {
				t.Errorf("%s: %s differs from the uninterrupted sweep's (%v, %v)", name, f, errA, errB)
			}
		}
	}
}

// resultKey is a run's result.json without the times it measured, or
// "none" (a wsd stable run has no result).
func resultKey(t *testing.T, dir string) string {
	t.Helper()
	var o scaling.RunOutcome
	if err := decodeStrict(filepath.Join(dir, "result.json"), &o); os.IsNotExist(err) {
		return "none"
	} else if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(o.Status, o.Loss, o.ValBPB, o.TrainLoss, o.Tokens, o.Steps, o.FLOPs, o.ModelFLOPs, o.Epochs, o.SkippedBatches)
}

// metricsKey is a run's metrics.jsonl without the times, a line per record.
func metricsKey(t *testing.T, dir string) []string {
	t.Helper()
	recs, err := train.ReadMetricsFile(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := make([]string, len(recs))
	for i, r := range recs {
		val := "none"
		if r.ValLoss != nil {
			val = fmt.Sprint(*r.ValLoss)
		}
		lines[i] = fmt.Sprint(r.Step, r.Tokens, r.TrainLoss, r.GradNorm, r.LR, val, r.SkippedBatches)
	}
	return lines
}
