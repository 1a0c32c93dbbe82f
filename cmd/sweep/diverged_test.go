package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/scaling"
)

// TestDivergedSweep runs a micro sweep whose learning rate is absurd (-lr
// 1e4: every run diverges within a few steps) and checks that every run
// is recorded as diverged, that the command's error lists them and its
// exit status is 3, and that -on-nan skip reaches the trainer: each run
// skips -nan-max-skips batches (lowering the learning rate cannot save
// weights already ruined) before it is recorded as diverged.
func TestDivergedSweep(t *testing.T) {
	cases := []struct {
		name  string
		flags []string
		skips int
	}{
		{"stop", nil, 0},
		{"skip", []string{"-on-nan", "skip", "-nan-max-skips", "2", "-nan-lr-factor", "0.5"}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			args := append(microArgs("cosine", out), append([]string{"-lr", "1e4"}, tc.flags...)...)
			err := run(args, &stdout, &stderr)
			var unf *scaling.UnfittedError
			if !errors.As(err, &unf) || len(unf.Diverged) != 4 || len(unf.Failed) != 0 || exitStatus(err) != exitDiverged {
				t.Fatalf("error %v (exit status %d), want the 4 runs listed as diverged and exit status %d\n%s", err, exitStatus(err), exitDiverged, stderr.String())
			}
			for _, name := range []string{"n100k-D2.56k", "n100k-D5.12k", "n200k-D2.56k", "n200k-D5.12k"} {
				raw, err := os.ReadFile(filepath.Join(out, "runs", name, "result.json"))
				if err != nil {
					t.Fatal(err)
				}
				var o scaling.RunOutcome
				if err := json.Unmarshal(raw, &o); err != nil {
					t.Fatal(err)
				}
				if o.Status != scaling.StatusDiverged || o.Diverged == nil || o.Diverged.Skipped != tc.skips || o.SkippedBatches != tc.skips {
					t.Errorf("%s: result.json %s; want status diverged after %d skipped batches", name, raw, tc.skips)
				}
			}
			if !strings.Contains(stderr.String(), "4 run(s) diverged, not fitted") {
				t.Errorf("the log does not list the diverged runs:\n%s", stderr.String())
			}
		})
	}
}

// TestExitStatus checks the command's exit status for each kind of end.
func TestExitStatus(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{flag.ErrHelp, 0},
		{usagef("flag -out: required"), 2},
		{&scaling.UnfittedError{Diverged: []string{"a: diverged"}}, exitDiverged},
		{&scaling.UnfittedError{Diverged: []string{"a: diverged"}, Failed: []string{"b: failed"}}, 1},
		{&scaling.UnfittedError{Failed: []string{"b: failed"}}, 1},
		{errors.New("disk full"), 1},
	}
	for _, c := range cases {
		if got := exitStatus(c.err); got != c.want {
			t.Errorf("exitStatus(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
