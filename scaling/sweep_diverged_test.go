package scaling

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// withLR gives the named runs of s's expansion (points, in the jobs and
// in Points, and stable runs) the peak learning rate lr.
func withLR(s *Sweep, lr float64, names ...string) {
	set := func(c *RunConfig) {
		if slices.Contains(names, c.Name) {
			*c = c.withLR(lr, s.plan.HParams.MinLRFrac)
		}
	}
	for i := range s.exp.Points {
		set(&s.exp.Points[i])
	}
	for _, j := range s.exp.Jobs {
		for i := range j.Points {
			set(&j.Points[i])
		}
		if j.Stable != nil {
			set(j.Stable)
		}
	}
}

// TestSweepRecordsDivergedRun trains sweeps in which some runs really
// diverge (a learning rate of 600; in wsd mode the stable run's, so that
// both points branched from it diverge) and checks that those runs are
// recorded as diverged with the trainer's diagnostic in result.json and
// results.csv, that the sweep finishes the other runs and lists the
// diverged ones (a stable run included) in its error and its log, that LoadRuns reports them as
// problems and fits the others, and that a second sweep does not retry
// them. With nan_skip the runs first skip their bad batches (still
// diverging: the weights are ruined by then), which result.json counts.
func TestSweepRecordsDivergedRun(t *testing.T) {
	cases := []struct {
		name     string
		mode     string
		presets  []string
		skip     *NaNSkip
		absurd   []string // the runs given a learning rate of 600
		diverged []string // the points that must diverge; the others must be done
	}{
		{"cosine", "cosine", []string{"n100k"}, nil, []string{"n100k-D2.56k"}, []string{"n100k-D2.56k"}},
		{"wsd stable run", "wsd", []string{"n100k", "n200k"}, nil,
			[]string{"n100k-stable", "n100k-D2.56k", "n100k-D5.12k"}, []string{"n100k-D2.56k", "n100k-D5.12k"}},
		{"cosine with nan_skip", "cosine", []string{"n100k"}, &NaNSkip{MaxSkips: 2}, []string{"n100k-D2.56k"}, []string{"n100k-D2.56k"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tinyPlan(t, tc.mode)
			p.Presets, p.NaNSkip = tc.presets, tc.skip
			out := t.TempDir()
			var log bytes.Buffer
			s := newTestSweep(t, p, out, &log)
			withLR(s, 600, tc.absurd...)
			err := s.Run()
			var unf *UnfittedError
			// The list names the stable run too: it is why its points diverged.
			if !errors.As(err, &unf) || len(unf.Failed) > 0 || len(unf.Diverged) != len(tc.absurd) {
				t.Fatalf("sweep error %v, want an *UnfittedError listing %d diverged runs and no failed one\n%s", err, len(tc.absurd), log.String())
			}
			for _, name := range tc.absurd {
				if !strings.Contains(err.Error(), name+": ") {
					t.Errorf("sweep error %q does not name %s", err, name)
				}
			}
			if !strings.Contains(log.String(), "run(s) diverged, not fitted") {
				t.Errorf("the log does not list the diverged runs at the end:\n%s", log.String())
			}

			rows := readCSV(t, filepath.Join(out, ResultsFile))
			if len(rows) != len(s.exp.Points) {
				t.Fatalf("results.csv has %d rows, want %d", len(rows), len(s.exp.Points))
			}
			wantSkips := 0
			if tc.skip != nil {
				wantSkips = tc.skip.MaxSkips
			}
			for _, r := range rows {
				name := r["run"]
				o, err := readOutcome(filepath.Join(out, RunsDir, name))
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(tc.diverged, name) {
					if o.Status != StatusDone || r["status"] != StatusDone || r["loss"] == "" {
						t.Errorf("%s: result.json status %s, results.csv %v; want done with a loss", name, o.Status, r)
					}
					continue
				}
				d := o.Diverged
				if o.Status != StatusDiverged || d == nil || d.Step < 1 || d.Tensor == "" || d.Value == "" ||
					d.LastLoss == nil || !strings.Contains(o.Error, "training diverged") || o.Loss != 0 {
					t.Errorf("%s: result.json %+v, diagnostic %+v; want status diverged with the step, tensor, value and last good loss", name, o, d)
					continue
				}
				if d.Skipped != wantSkips || (tc.mode == "cosine" && o.SkippedBatches != wantSkips) {
					t.Errorf("%s: %d batches skipped before diverging (result.json: %d), want %d", name, d.Skipped, o.SkippedBatches, wantSkips)
				}
				if c, err := readRunConfig(filepath.Join(out, RunsDir, name)); tc.skip != nil && (err != nil || c.NaNSkip == nil || *c.NaNSkip != (NaNSkip{LRFactor: 0.5, MaxSkips: 2})) {
					t.Errorf("%s: config.json nan_skip %+v (%v), want the plan's with the default lr_factor 0.5", name, c.NaNSkip, err)
				}
				if r["status"] != StatusDiverged || r["loss"] != "" || r["diverged_step"] != strconv.Itoa(d.Step) ||
					r["diverged_tensor"] != d.Tensor || r["last_good_loss"] != strconv.FormatFloat(*d.LastLoss, 'g', -1, 64) {
					t.Errorf("%s: results.csv row %v; want status diverged, no loss, the diagnostic %+v", name, r, d)
				}
			}

			runs, problems, err := LoadRuns(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != len(s.exp.Points)-len(tc.diverged) {
				t.Errorf("LoadRuns: %d points, want the %d runs that did not diverge", len(runs), len(s.exp.Points)-len(tc.diverged))
			}
			for _, r := range runs {
				if slices.Contains(tc.diverged, r.Name) {
					t.Errorf("LoadRuns made a point of the diverged run %s", r.Name)
				}
			}
			if len(problems) != len(tc.diverged) {
				t.Errorf("LoadRuns: problems %v, want one per diverged run", problems)
			}
			for _, pr := range problems {
				if !strings.Contains(pr.Reason, "diverged: ") {
					t.Errorf("problem %s, want it to say diverged", pr)
				}
			}

			log.Reset()
			again := newTestSweep(t, p, out, &log)
			withLR(again, 600, tc.absurd...)
			err = again.Run()
			if again.TrainedSteps() != 0 || !errors.As(err, &unf) || len(unf.Diverged) != len(tc.diverged) {
				t.Errorf("second sweep: trained %d steps, error %v; want 0 steps and the diverged runs listed again", again.TrainedSteps(), err)
			}
		})
	}
}
