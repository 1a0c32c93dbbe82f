package train

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/plateau-lab/plateau/internal/faultio"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
)

// TestWriteFails: a disk that fills up (or fails) while the second
// checkpoint or the metrics are written stops the run with an error naming
// the file and the cause; the checkpoint from before stays intact, equal to
// an undisturbed run's, and the run resumes from it to the same end.
func TestWriteFails(t *testing.T) {
	const steps = 12 // checkpoints at 4, 8 and 12
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	whole, _ := tinyRun(t, ref, steps, 0, false)
	defer whole.Close()
	at4 := filepath.Join(dir, "at4")
	stopped, _ := tinyRun(t, at4, steps, 4, false)
	stopped.Close()
	want4, err := os.ReadFile(filepath.Join(ModelDir(at4), model.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		disk  *faultio.Disk
		saved int // the checkpoint left on disk
	}{
		{"weights, disk full", &faultio.Disk{Name: model.WeightsFile, Nth: 2, After: 5000}, 4},
		{"config, disk full at once", &faultio.Disk{Name: model.ConfigFile, Nth: 2}, 4},
		{"optimizer state, I/O error", &faultio.Disk{Name: OptimizerFile, Nth: 2, After: 20000, Err: syscall.EIO}, 4},
		{"trainer state", &faultio.Disk{Name: StateFile, Nth: 2, After: 10}, 4},
		{"first checkpoint", &faultio.Disk{Name: model.WeightsFile, Nth: 1, After: 100}, 0},
		{"metrics", &faultio.Disk{Name: "metrics.jsonl", After: 700}, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			cfg, d, opt := tiny(out, steps)
			opt.OpenFile = tc.disk.OpenFile
			tr, err := New(kernels.NewCPU(2), cfg, d, opt)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tr.Run()
			tr.Close()
			if tc.disk.Failed() == 0 {
				t.Fatalf("the fault never happened; Run: %v", err)
			}
			wantErr := tc.disk.Err
			if wantErr == nil {
				wantErr = syscall.ENOSPC
			}
			if !errors.Is(err, wantErr) {
				t.Fatalf("Run: %v, want %v", err, wantErr)
			}
			var pe *os.PathError
			if !errors.As(err, &pe) || filepath.Base(pe.Path) != tc.disk.Name || !strings.Contains(err.Error(), pe.Path) {
				t.Errorf("error %q does not name the file %s", err, tc.disk.Name)
			}
			checkSaved(t, out, tc.saved)
			if tc.saved == 4 {
				got, err := os.ReadFile(filepath.Join(ModelDir(out), model.WeightsFile))
				if err != nil || !bytes.Equal(got, want4) {
					t.Errorf("the checkpoint left differs from an undisturbed run's at step 4 (%v)", err)
				}
			}
			// The same run on a good disk resumes and ends where the
			// undisturbed run does.
			resumed, _ := tinyRun(t, out, steps, 0, true)
			defer resumed.Close()
			a, b := snapshot(t, whole.Weights()), snapshot(t, resumed.Weights())
			if !sameTensors(a[0], b[0]) || !sameTensors(a[1], b[1]) || !sameTensors(a[2], b[2]) {
				t.Error("the run resumed after the failure ends with other weights or moments")
			}
			checkMetricsSteps(t, out, ref)
		})
	}
}

// checkMetricsSteps checks that out's metrics.jsonl logs the same steps as
// ref's, each once, with the same training and validation losses.
func checkMetricsSteps(t *testing.T, out, ref string) {
	t.Helper()
	got, want := readMetricsFile(t, out), readMetricsFile(t, ref)
	if len(got) != len(want) {
		t.Errorf("%d metrics lines, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.Step != w.Step || g.TrainLoss != w.TrainLoss || (g.ValLoss == nil) != (w.ValLoss == nil) ||
			(g.ValLoss != nil && *g.ValLoss != *w.ValLoss) {
			t.Errorf("metrics line %d: step %d, loss %v; want step %d, loss %v", i, g.Step, g.TrainLoss, w.Step, w.TrainLoss)
			return
		}
	}
}

// TestResumeAfterInterruptedSave: whatever state a crash during a
// checkpoint save leaves the run folder in, -resume continues from the last
// complete checkpoint (or from scratch if there is none) and ends bit for
// bit where an uninterrupted run does, with each step logged once.
func TestResumeAfterInterruptedSave(t *testing.T) {
	const steps = 10
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	whole, _ := tinyRun(t, ref, steps, 0, false)
	defer whole.Close()
	rename := func(from, to string) func(out string) error {
		return func(out string) error { return os.Rename(filepath.Join(out, from), filepath.Join(out, to)) }
	}
	partial := func(name string) func(out string) error {
		return func(out string) error {
			p := filepath.Join(out, name)
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(p, model.ConfigFile), []byte(`{"vocab_size": 4`), 0o644)
		}
	}
	cases := []struct {
		name    string
		crash   func(out string) error // turns a folder stopped at step 5 into what a crash leaves
		resumed int                    // the step the resumed run starts from
	}{
		{"between the renames", rename("model", ".model.old"), 5},
		{"temporary folder half written", partial(".model.tmp-123"), 5},
		{"old folder half removed", partial(".model.old"), 5},
		{"first save cut short", func(out string) error {
			if err := os.RemoveAll(filepath.Join(out, "model")); err != nil {
				return err
			}
			return partial(".model.tmp-9")(out)
		}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			first, _ := tinyRun(t, out, steps, 5, false)
			first.Close()
			if err := tc.crash(out); err != nil {
				t.Fatal(err)
			}
			var log strings.Builder
			cfg, d, opt := tiny(out, steps)
			opt.Resume, opt.Log = true, &log
			tr, err := New(kernels.NewCPU(2), cfg, d, opt)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			if _, err := tr.Run(); err != nil {
				t.Fatal(err)
			}
			resumedAt := strings.Contains(log.String(), "resumed from")
			if resumedAt != (tc.resumed > 0) || (tc.resumed > 0 && !strings.Contains(log.String(), "at step 5\n")) {
				t.Errorf("want the run to resume at step %d; log:\n%s", tc.resumed, log.String())
			}
			a, b := snapshot(t, whole.Weights()), snapshot(t, tr.Weights())
			if !sameTensors(a[0], b[0]) || !sameTensors(a[1], b[1]) || !sameTensors(a[2], b[2]) {
				t.Error("the resumed run ends with other weights or moments than the uninterrupted one")
			}
			checkMetricsSteps(t, out, ref)
			checkSaved(t, out, steps)
		})
	}
}
