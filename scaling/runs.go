package scaling

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plateau-lab/plateau/train"
)

// RunResult is a finished point of a sweep, read from its run folder.
type RunResult struct {
	// Name is the run's name, prefixed with its sweep folder (relative to
	// the folder LoadRuns read) when that held several sweeps.
	Name    string
	Dir     string
	Config  RunConfig
	Outcome RunOutcome
}

// Point is the run as the fits see it: N the non-embedding parameters, D
// the tokens trained, C = 6ND, the final held-out loss.
func (r RunResult) Point() Point {
	return Point{
		Run: r.Name, Preset: r.Config.Preset, Arch: r.Config.Arch,
		Params: float64(r.Config.Params), Tokens: float64(r.Outcome.Tokens),
		FLOPs: r.Outcome.FLOPs, Loss: r.Outcome.Loss,
	}
}

// Curve is the run's held-out loss against tokens seen, from the
// val_loss records of its metrics.jsonl (the loss before training, at 0
// tokens, is left out so that the curve plots on log axes). A wsd point's
// curve includes the stable run's evaluations before its branch.
func (r RunResult) Curve() (Curve, error) {
	recs, err := train.ReadMetricsFile(filepath.Join(r.Dir, MetricsFile))
	if err != nil {
		return Curve{}, fmt.Errorf("curve of %s: %w", r.Name, err)
	}
	c := Curve{Run: r.Name, Preset: r.Config.Preset, Arch: r.Config.Arch, Params: float64(r.Config.Params)}
	for _, rec := range recs {
		if rec.ValLoss != nil && rec.Tokens > 0 {
			c.Tokens = append(c.Tokens, float64(rec.Tokens))
			c.Loss = append(c.Loss, *rec.ValLoss)
		}
	}
	if len(c.Loss) == 0 {
		return c, fmt.Errorf("curve of %s: %s has no validation loss after step 0", r.Name, filepath.Join(r.Dir, MetricsFile))
	}
	return c, nil
}

// Problem is a run folder that gives no point, and why: unfinished (no
// result.json), failed or diverged, corrupt files, a result that
// disagrees with its config, a planned point whose folder is missing.
type Problem struct {
	Dir    string
	Reason string
}

// String is "DIR: REASON".
func (p Problem) String() string { return p.Dir + ": " + p.Reason }

// maxSweepDepth is how deep below the folder given to LoadRuns sweep
// folders are looked for.
const maxSweepDepth = 4

// LoadRuns reads the finished points of a sweep folder, or of every sweep
// folder (one with a runs/ folder) up to a few levels below dir, as
// cluster tasks leave them in a shared directory. Every run folder that
// does not give a point is reported as a Problem naming the folder and
// the reason; none is silently fitted or dropped. wsd stable runs and
// learning-rate scan runs are not points. Points come sorted by N, D and
// name. The error is for a dir that cannot be read or holds no sweep.
func LoadRuns(dir string) (runs []RunResult, problems []Problem, err error) {
	sweeps, err := findSweeps(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, sw := range sweeps {
		prefix := ""
		if len(sweeps) > 1 || sw != filepath.Clean(dir) {
			rel, _ := filepath.Rel(dir, sw)
			prefix = filepath.ToSlash(rel) + "/"
		}
		r, p, err := loadSweep(sw, prefix)
		if err != nil {
			return nil, nil, err
		}
		runs, problems = append(runs, r...), append(problems, p...)
	}
	slices.SortFunc(runs, func(a, b RunResult) int {
		return cmp.Or(cmp.Compare(a.Config.Params, b.Config.Params), cmp.Compare(a.Outcome.Tokens, b.Outcome.Tokens), cmp.Compare(a.Name, b.Name))
	})
	return runs, problems, nil
}

// findSweeps lists dir, if it is a sweep folder, or the sweep folders
// below it.
func findSweeps(dir string) ([]string, error) {
	dir = filepath.Clean(dir)
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("load runs: %w", err)
	}
	var sweeps []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		depth := 0
		if rel != "." {
			depth = strings.Count(filepath.ToSlash(rel), "/") + 1
		}
		switch {
		case path != dir && strings.HasPrefix(d.Name(), "."):
			return filepath.SkipDir
		case isDir(filepath.Join(path, RunsDir)):
			sweeps = append(sweeps, path)
			return filepath.SkipDir
		case depth >= maxSweepDepth:
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load runs: %w", err)
	}
	if len(sweeps) == 0 {
		return nil, fmt.Errorf("load runs: %s holds no sweep folder (one with a %s/ folder) within %d levels", dir, RunsDir, maxSweepDepth)
	}
	return sweeps, nil
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// loadSweep reads the run folders of one sweep folder, and reports the
// points of its plan.json that have no folder.
func loadSweep(sweep, prefix string) ([]RunResult, []Problem, error) {
	entries, err := os.ReadDir(filepath.Join(sweep, RunsDir))
	if err != nil {
		return nil, nil, fmt.Errorf("load runs: %w", err)
	}
	var (
		runs     []RunResult
		problems []Problem
		seen     = map[string]bool{}
	)
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		seen[e.Name()] = true
		dir := filepath.Join(sweep, RunsDir, e.Name())
		r, reason := loadRun(dir)
		switch {
		case reason != "":
			problems = append(problems, Problem{Dir: dir, Reason: reason})
		case r != nil:
			r.Name = prefix + r.Config.Name
			runs = append(runs, *r)
		}
	}
	problems = append(problems, missingPoints(sweep, seen)...)
	return runs, problems, nil
}

// loadRun reads one run folder: a finished point, nil for a run that is
// not a point (a wsd stable run), or the reason it gives no point.
func loadRun(dir string) (*RunResult, string) {
	c, err := readRunConfig(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, "no config.json: not a run of this sweep, or one that never started"
	case err != nil:
		return nil, "corrupt config.json: " + err.Error()
	case c.Name != filepath.Base(dir):
		return nil, fmt.Sprintf("config.json names run %q, not the folder's name", c.Name)
	case c.Role != RolePoint:
		return nil, ""
	}
	o, err := readOutcome(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		at, cerr := checkpointStep(dir)
		if cerr != nil {
			return nil, "unfinished (no result.json) with an unreadable checkpoint: " + cerr.Error()
		}
		return nil, fmt.Sprintf("unfinished: no result.json (checkpoint at step %d of %d)", at, c.Steps)
	case err != nil:
		return nil, "corrupt result.json: " + err.Error()
	}
	if m := outcomeMismatch(c, o); m != "" {
		return nil, m
	}
	switch {
	case o.Status == StatusFailed:
		return nil, "failed: " + o.Error
	case o.Status == StatusDiverged:
		return nil, "diverged: " + o.Error
	case o.Status != StatusDone:
		return nil, fmt.Sprintf("result.json: status %q, want %q, %q or %q", o.Status, StatusDone, StatusFailed, StatusDiverged)
	case !positiveFinite(o.Loss):
		return nil, fmt.Sprintf("result.json: held-out loss %v is not a positive finite number (diverged?)", o.Loss)
	}
	return &RunResult{Dir: dir, Config: c, Outcome: o}, ""
}

// missingPoints reports the points of the sweep's plan.json that have no
// run folder (a cluster task that never ran, say).
func missingPoints(sweep string, seen map[string]bool) []Problem {
	path := filepath.Join(sweep, PlanFile)
	p, err := ReadPlan(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return []Problem{{Dir: path, Reason: err.Error()}}
	}
	exp, err := p.Expand()
	if err != nil {
		return []Problem{{Dir: path, Reason: err.Error()}}
	}
	var out []Problem
	for _, c := range exp.Points {
		if !seen[c.Name] {
			out = append(out, Problem{Dir: filepath.Join(sweep, RunsDir, c.Name), Reason: "not started: the plan has this point, no run folder exists"})
		}
	}
	return out
}
