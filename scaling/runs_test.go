package scaling

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSweep writes a sweep folder of the tiny wsd plan, with n400k added
// (six points), without training:
// plan.json, and for each point the files edit chooses (by point index).
// The default is a finished point: config.json, a done result.json, a
// metrics.jsonl with three validation losses.
func fakeSweep(t *testing.T, out string, edit func(i int, c *RunConfig, o *RunOutcome) (skip bool)) *Expansion {
	t.Helper()
	p := tinyPlan(t, "wsd")
	p.Presets = append(p.Presets, "n400k")
	if _, err := SavePlan(out, p, "test"); err != nil {
		t.Fatal(err)
	}
	e, err := p.Expand()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range e.Points {
		o := RunOutcome{Run: c.Name, Preset: c.Preset, Status: StatusDone, Params: c.Params, Tokens: c.Tokens,
			Steps: c.Steps, FLOPs: c.FLOPs, Loss: 5 - float64(i)/10, WallS: 1}
		if edit != nil && edit(i, &c, &o) {
			continue
		}
		dir := filepath.Join(out, RunsDir, c.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := writeJSONFile(filepath.Join(dir, RunConfigFile), c, nil); err != nil {
			t.Fatal(err)
		}
		if o.Run != "" {
			if err := writeJSONFile(filepath.Join(dir, ResultFile), o, nil); err != nil {
				t.Fatal(err)
			}
		}
		var metrics strings.Builder
		for step := 0; step <= c.Steps; step += c.Steps / 2 {
			fmt.Fprintf(&metrics, `{"step":%d,"tokens":%d,"train_loss":6,"val_loss":%v,"lr":0.001}`+"\n", step, int64(step)*int64(c.BatchTokens), 6-float64(step)/100)
		}
		if err := os.WriteFile(filepath.Join(dir, MetricsFile), []byte(metrics.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The stable runs are there too, and are not points.
	for _, j := range e.Jobs {
		if err := ensureConfig(*j.Stable, filepath.Join(out, RunsDir, j.Stable.Name), nil); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func TestLoadRunsFinished(t *testing.T) {
	out := t.TempDir()
	e := fakeSweep(t, out, nil)
	runs, problems, err := LoadRuns(out)
	if err != nil || len(problems) > 0 {
		t.Fatalf("LoadRuns: %v, problems %v", err, problems)
	}
	if len(runs) != len(e.Points) {
		t.Fatalf("%d runs, want %d", len(runs), len(e.Points))
	}
	r := runs[1]
	pt := r.Point()
	if pt.Run != "n100k-D5.12k" || pt.Params != 106816 || pt.Tokens != 5120 || pt.Loss != 4.9 || pt.FLOPs != 6*106816*5120.0 || pt.Preset != "n100k" {
		t.Errorf("point %+v", pt)
	}
	c, err := r.Curve()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Tokens) != 2 || c.Tokens[0] != 20*128 || c.Loss[1] != 5.6 || c.Params != 106816 {
		t.Errorf("curve %+v: want the two validation losses after step 0", c)
	}
}

func TestLoadRunsProblems(t *testing.T) {
	out := t.TempDir()
	reasons := map[int]string{
		0: "unfinished: no result.json (checkpoint at step 7 of 20)",
		1: "failed: loss 1e+30: training diverged",
		2: "disagrees with config.json: tokens 99",
		3: "not started",
	}
	fakeSweep(t, out, func(i int, c *RunConfig, o *RunOutcome) bool {
		switch i {
		case 0:
			o.Run = "" // no result.json
			st := filepath.Join(out, RunsDir, c.Name, "model", "trainer_state.json")
			if err := os.MkdirAll(filepath.Dir(st), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(st, []byte(`{"step": 7}`), 0o644); err != nil {
				t.Fatal(err)
			}
		case 1:
			o.Status, o.Error, o.Loss = StatusFailed, "loss 1e+30: training diverged", 0
		case 2:
			o.Tokens = 99
		case 3:
			return true // never started
		case 5:
			o.Loss = 0
		}
		return false
	})
	corrupt := map[string]string{
		"n400k-D2.56k/result.json": "{not json",
		"stray/notes.txt":          "a folder someone made",
	}
	for path, body := range corrupt {
		full := filepath.Join(out, RunsDir, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reasons[4] = "n400k-D2.56k: corrupt result.json"
	reasons[5] = "n400k-D5.12k: result.json: held-out loss 0 is not a positive finite number"
	reasons[6] = "stray: no config.json"

	runs, problems, err := LoadRuns(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 0 {
		t.Errorf("%d runs became points, want none: %v", len(runs), runs)
	}
	text := make([]string, len(problems))
	for i, p := range problems {
		text[i] = p.String()
	}
	all := strings.Join(text, "\n")
	for _, want := range reasons {
		if !strings.Contains(all, want) {
			t.Errorf("problems do not say %q:\n%s", want, all)
		}
	}
	if len(problems) != len(reasons) {
		t.Errorf("%d problems, want %d:\n%s", len(problems), len(reasons), all)
	}
	if strings.Contains(all, "stable") {
		t.Errorf("a stable run was reported:\n%s", all)
	}
}

func TestLoadRunsFolderOfSweeps(t *testing.T) {
	root := t.TempDir()
	fakeSweep(t, filepath.Join(root, "task-a"), nil)
	fakeSweep(t, filepath.Join(root, "group", "task-b"), nil)
	runs, problems, err := LoadRuns(root)
	if err != nil || len(problems) > 0 {
		t.Fatalf("LoadRuns: %v, %v", err, problems)
	}
	seen := map[string]bool{}
	for _, r := range runs {
		seen[r.Name] = true
	}
	for _, want := range []string{"task-a/n100k-D2.56k", "group/task-b/n200k-D5.12k"} {
		if !seen[want] {
			t.Errorf("runs %v lack %s", seen, want)
		}
	}
	if len(seen) != 12 {
		t.Errorf("%d distinct runs, want 12", len(seen))
	}
	if _, _, err := LoadRuns(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no sweep folder") {
		t.Errorf("empty folder: error %v", err)
	}
	if _, _, err := LoadRuns(filepath.Join(root, "nowhere")); err == nil {
		t.Error("missing folder: no error")
	}
}
