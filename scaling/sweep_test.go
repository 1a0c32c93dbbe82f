package scaling

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/train"

	"github.com/plateau-lab/plateau/internal/testfs"
)

// tinyPlan is testdata/plan/tiny.json in the given mode: n100k and n200k
// on a synthetic source, 20- and 40-step points of 128 tokens.
func tinyPlan(t *testing.T, mode string) Plan {
	t.Helper()
	p, err := ReadPlan("testdata/plan/tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	p.Mode = mode
	return p
}

// newTestSweep makes a sweep of p in out on a one-thread CPU, logging
// into log.
func newTestSweep(t *testing.T, p Plan, out string, log *bytes.Buffer) *Sweep {
	t.Helper()
	dev := kernels.NewCPU(1)
	t.Cleanup(func() { dev.Close() })
	s, err := NewSweep(p, dev, SweepOptions{Out: out, Log: log, PlanSource: "test plan"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mtimes maps every file under dir to its modification time.
func mtimes(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	m, err := testfs.ModTimes(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, k := range recs[0] {
			m[k] = r[i]
		}
		rows = append(rows, m)
	}
	return rows
}

// TestSweepRunsAndIsIdempotent runs the tiny plan in both modes and checks
// the folders, results.csv, that a second run trains nothing and touches
// no run file, and that deleting one result.json redoes exactly that run.
func TestSweepRunsAndIsIdempotent(t *testing.T) {
	for _, mode := range Modes {
		t.Run(mode, func(t *testing.T) {
			out := t.TempDir()
			var log bytes.Buffer
			s := newTestSweep(t, tinyPlan(t, mode), out, &log)
			if err := s.Run(); err != nil {
				t.Fatalf("%v\n%s", err, log.String())
			}
			want := 2*20 + 2*40 // cosine: every point from scratch
			if mode == "wsd" {
				want = 2 * (32 + 4 + 8) // the stable run to the longest decay start, and both decays
			}
			if got := s.TrainedSteps(); got != want {
				t.Errorf("trained %d steps, want %d", got, want)
			}
			rows := readCSV(t, filepath.Join(out, ResultsFile))
			if len(rows) != 4 {
				t.Fatalf("results.csv has %d rows, want 4", len(rows))
			}
			for _, r := range rows {
				if r["status"] != StatusDone || r["loss"] == "" || r["train_loss"] == "" || r["flops"] == "" {
					t.Errorf("results.csv row %v: want a done run with losses and flops", r)
				}
				dir := filepath.Join(out, RunsDir, r["run"])
				for _, f := range []string{RunConfigFile, ResultFile, MetricsFile, "model/model.safetensors", "model/trainer_state.json"} {
					if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
						t.Errorf("run %s: %v", r["run"], err)
					}
				}
			}
			if !strings.Contains(log.String(), "ETA") {
				t.Errorf("log has no ETA line:\n%s", log.String())
			}

			before := mtimes(t, out)
			again := newTestSweep(t, tinyPlan(t, mode), out, &log)
			if err := again.Run(); err != nil {
				t.Fatal(err)
			}
			if again.TrainedSteps() != 0 {
				t.Errorf("second run trained %d steps, want 0", again.TrainedSteps())
			}
			after := mtimes(t, out)
			for path, m := range before {
				if path != filepath.Join(out, ResultsFile) && !after[path].Equal(m) {
					t.Errorf("second run rewrote %s", path)
				}
			}

			redo := rows[1]["run"]
			if err := os.Remove(filepath.Join(out, RunsDir, redo, ResultFile)); err != nil {
				t.Fatal(err)
			}
			log.Reset()
			third := newTestSweep(t, tinyPlan(t, mode), out, &log)
			if err := third.Run(); err != nil {
				t.Fatal(err)
			}
			for path, m := range mtimes(t, out) {
				changed := !after[path].Equal(m)
				ours := strings.HasPrefix(path, filepath.Join(out, RunsDir, redo)+string(filepath.Separator)) || path == filepath.Join(out, ResultsFile)
				if changed && !ours {
					t.Errorf("redoing %s rewrote %s", redo, path)
				}
			}
			if !strings.Contains(log.String(), redo+": resumed from") {
				t.Errorf("log does not show %s resuming from its checkpoint:\n%s", redo, log.String())
			}
			if rows2 := readCSV(t, filepath.Join(out, ResultsFile)); rows2[1]["loss"] != rows[1]["loss"] {
				t.Errorf("redone %s: loss %s, was %s", redo, rows2[1]["loss"], rows[1]["loss"])
			}
		})
	}
}

// TestSweepResumesInterruptedRun stops one run half-way, as a killed job
// would leave it, and checks that the sweep resumes it from its
// checkpoint to the same loss as an uninterrupted run.
func TestSweepResumesInterruptedRun(t *testing.T) {
	p := tinyPlan(t, "cosine")
	p.Presets = []string{"n100k"}
	p.Tokens = p.Tokens[1:]
	var log bytes.Buffer
	whole := newTestSweep(t, p, t.TempDir(), &log)
	if err := whole.Run(); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cut := newTestSweep(t, p, out, &log)
	c := cut.Expansion().Points[0]
	if _, _, err := cut.train(&c, cut.runDir(c), 30); err != nil {
		t.Fatal(err)
	}
	rest := newTestSweep(t, p, out, &log)
	if err := rest.Run(); err != nil {
		t.Fatal(err)
	}
	if rest.TrainedSteps() != 10 {
		t.Errorf("resumed sweep trained %d steps, want the 10 left", rest.TrainedSteps())
	}
	a, err := readOutcome(whole.runDir(c))
	if err != nil {
		t.Fatal(err)
	}
	b, err := readOutcome(rest.runDir(c))
	if err != nil {
		t.Fatal(err)
	}
	if a.Loss != b.Loss || a.TrainLoss != b.TrainLoss {
		t.Errorf("interrupted and resumed run: loss %v, train loss %v; uninterrupted: %v, %v", b.Loss, b.TrainLoss, a.Loss, a.TrainLoss)
	}
}

// TestWSDBranchMatchesScratch checks that a wsd point branched from the
// stable run ends where the same wsd schedule trained from scratch does.
func TestWSDBranchMatchesScratch(t *testing.T) {
	p := tinyPlan(t, "wsd")
	p.Presets = []string{"n100k"}
	var log bytes.Buffer
	s := newTestSweep(t, p, t.TempDir(), &log)
	if err := s.Run(); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	stable := *s.Expansion().Jobs[0].Stable
	if at, _ := checkpointStep(s.runDir(stable)); at != 32 {
		t.Errorf("stable run stopped at step %d, want 32 (the 40-step point's decay start)", at)
	}
	for _, c := range s.Expansion().Points {
		branched, err := readOutcome(s.runDir(c))
		if err != nil {
			t.Fatal(err)
		}
		scratch := c
		scratch.Name += "-scratch"
		dir := filepath.Join(t.TempDir(), scratch.Name)
		res, _, err := s.train(&scratch, dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(res.ValLoss-branched.Loss) > 1e-6*branched.Loss {
			t.Errorf("%s: branched loss %v, from scratch %v", c.Name, branched.Loss, res.ValLoss)
		}
		if res.Tokens != branched.Tokens {
			t.Errorf("%s: branched tokens %d, from scratch %d", c.Name, branched.Tokens, res.Tokens)
		}
	}
}

// TestSweepRejectsForeignFolders checks that a run folder or plan.json
// written by another plan stops the sweep with an error naming it.
func TestSweepRejectsForeignFolders(t *testing.T) {
	p := tinyPlan(t, "cosine")
	out := t.TempDir()
	var log bytes.Buffer
	s := newTestSweep(t, p, out, &log)
	c := s.Expansion().Points[0]
	c.LR *= 2
	if err := os.MkdirAll(s.runDir(c), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeJSONFile(filepath.Join(s.runDir(c), RunConfigFile), c, nil); err != nil {
		t.Fatal(err)
	}
	err := s.Run()
	if err == nil || !strings.Contains(err.Error(), s.runDir(c)) || !strings.Contains(err.Error(), "lr:") {
		t.Errorf("sweep over a foreign run folder: error %v, want one naming the folder and the field lr", err)
	}

	other := p
	other.Seed = 7
	dev := kernels.NewCPU(1)
	defer dev.Close()
	_, err = NewSweep(other, dev, SweepOptions{Out: out, PlanSource: "other.json"})
	if err == nil || !strings.Contains(err.Error(), "other.json") || !strings.Contains(err.Error(), filepath.Join(out, PlanFile)) || !strings.Contains(err.Error(), "seed") {
		t.Errorf("sweep of another plan in the folder: error %v, want one naming both plans and the field seed", err)
	}
}

// TestSweepRecordsFailedRun makes one run's checkpoint unusable and checks
// that the run is recorded as failed, the others finish, the sweep's
// error names it, and a second sweep does not retry it.
func TestSweepRecordsFailedRun(t *testing.T) {
	p := tinyPlan(t, "cosine")
	p.Presets = []string{"n100k"}
	out := t.TempDir()
	var log bytes.Buffer
	s := newTestSweep(t, p, out, &log)
	bad := s.Expansion().Points[0]
	mdir := train.ModelDir(s.runDir(bad))
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"trainer_state.json": `{"step": 5}`, "config.json": `{"hidden_size": 8}`} {
		if err := os.WriteFile(filepath.Join(mdir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err := s.Run()
	if err == nil || !strings.Contains(err.Error(), bad.Name) {
		t.Fatalf("sweep error %v, want one naming the failed run %s", err, bad.Name)
	}
	o, rerr := readOutcome(s.runDir(bad))
	if rerr != nil || o.Status != StatusFailed || o.Error == "" {
		t.Errorf("failed run's result.json: %+v, %v; want status failed with the error", o, rerr)
	}
	good := s.Expansion().Points[1]
	if o, err := readOutcome(s.runDir(good)); err != nil || o.Status != StatusDone {
		t.Errorf("the other run: %+v, %v; want done", o, err)
	}
	again := newTestSweep(t, p, out, &log)
	err = again.Run()
	if again.TrainedSteps() != 0 || err == nil || !strings.Contains(err.Error(), bad.Name) {
		t.Errorf("second sweep: trained %d steps, error %v; want 0 steps and the failed run named again", again.TrainedSteps(), err)
	}
}

// TestRunJobEachIndexOnce runs every job of a wsd plan by index, as
// cluster tasks do, and checks that LoadRuns then finds every point once.
func TestRunJobEachIndexOnce(t *testing.T) {
	p := tinyPlan(t, "wsd")
	out := t.TempDir()
	var log bytes.Buffer
	var points int
	for i := range 2 {
		s := newTestSweep(t, p, out, &log)
		points = len(s.Expansion().Points)
		if err := s.RunJob(i); err != nil {
			t.Fatal(err)
		}
	}
	runs, problems, err := LoadRuns(out)
	if err != nil || len(problems) > 0 {
		t.Fatalf("LoadRuns: %v, problems %v", err, problems)
	}
	seen := map[string]int{}
	for _, r := range runs {
		seen[r.Name]++
	}
	if len(runs) != points || len(seen) != points {
		t.Errorf("LoadRuns found %d runs (%d distinct), want the plan's %d points once each", len(runs), len(seen), points)
	}
	s := newTestSweep(t, p, out, &log)
	if err := s.RunJob(2); err == nil || !strings.Contains(err.Error(), "jobs 0 to 1") {
		t.Errorf("RunJob(2) of 2 jobs: %v", err)
	}
}
