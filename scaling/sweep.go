package scaling

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
)

// Files and folders of a sweep folder OUT.
const (
	PlanFile    = "plan.json"   // the plan the sweep runs, every field written
	ResultsFile = "results.csv" // one row per point, rewritten after each run
	LRScanFile  = "lrscan.json" // the learning rate each scanned preset got
	RunsDir     = "runs"        // a folder per point and per wsd stable run
	LRScanDir   = "lrscan"      // a folder per learning-rate scan run
)

// SweepOptions configure a Sweep.
type SweepOptions struct {
	// Out is the sweep folder. Cluster tasks share one.
	Out string
	// Log gets progress lines; nil is silent.
	Log io.Writer
	// PlanSource says where the plan came from (its file, or "flags"),
	// for messages.
	PlanSource string
	// Workers are the goroutines that tokenize text data; <= 0 is all
	// CPUs.
	Workers int
	// OpenFile creates the files the runs' trainers write (checkpoints and
	// metrics.jsonl, train.Options.OpenFile); nil is os.OpenFile.
	OpenFile model.OpenFunc
	// Writing, when set, is called with the path of each file the sweep
	// writes itself (config.json, result.json, results.csv, lrscan.json,
	// a wsd branch's copied files) once its temporary file exists and
	// before its contents are written. Crash tests use it to stretch those
	// writes; nil in normal use.
	Writing func(path string)
}

// Sweep runs the jobs of a plan on one device: each run in its own folder
// OUT/runs/NAME, resumable and idempotent (a run with a result.json is
// skipped, an interrupted one resumes from its checkpoint), loading the
// dataset once, the first time a run needs it.
type Sweep struct {
	plan     Plan
	exp      *Expansion
	dev      kernels.Device
	opt      SweepOptions
	ds       *data.Dataset
	prog     *sweepProgress
	failed   []string // "NAME: error" of each run that failed, in order
	diverged []string // "NAME: error" of each run that diverged, in order
	trained  int      // optimizer steps this Sweep ran, all runs together
}

// NewSweep expands the plan and prepares the sweep folder: it creates
// OUT/runs and writes OUT/plan.json, or checks that an existing one holds
// the same plan (a different one is an error naming both: a folder holds
// one sweep). The device stays the caller's to close.
func NewSweep(p Plan, dev kernels.Device, opt SweepOptions) (*Sweep, error) {
	if opt.Out == "" {
		return nil, errors.New("sweep: no output folder")
	}
	if opt.PlanSource == "" {
		opt.PlanSource = "the plan"
	}
	exp, err := p.Expand()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opt.PlanSource, err)
	}
	if err := os.MkdirAll(filepath.Join(opt.Out, RunsDir), 0o755); err != nil {
		return nil, fmt.Errorf("sweep folder: %w", err)
	}
	if _, err := SavePlan(opt.Out, p, opt.PlanSource); err != nil {
		return nil, err
	}
	s := &Sweep{plan: p, exp: exp, dev: dev, opt: opt}
	s.prog = newSweepProgress(opt.Log, s.modelFLOPs)
	return s, nil
}

// Expansion is the sweep's plan expanded into points and jobs.
func (s *Sweep) Expansion() *Expansion { return s.exp }

// TrainedSteps is the number of optimizer steps this Sweep has run, over
// all its runs: 0 after a sweep that found every run done.
func (s *Sweep) TrainedSteps() int { return s.trained }

// Run runs every job of the plan in order. A run that fails or diverges
// is recorded and the sweep goes on; the error at the end, an
// *UnfittedError, lists those runs.
func (s *Sweep) Run() error {
	return s.runJobs(s.exp.Jobs)
}

// RunJob runs job i alone, as cluster array task i does.
func (s *Sweep) RunJob(i int) error {
	if i < 0 || i >= len(s.exp.Jobs) {
		return fmt.Errorf("job %d: the plan has jobs 0 to %d", i, len(s.exp.Jobs)-1)
	}
	return s.runJobs(s.exp.Jobs[i : i+1])
}

func (s *Sweep) runJobs(jobs []Job) error {
	s.failed, s.diverged = nil, nil
	for _, n := range s.exp.Notes {
		s.prog.note("note: %s", n)
	}
	if err := s.prog.plan(jobs, s); err != nil {
		return err
	}
	for _, j := range jobs {
		if err := s.runJob(j); err != nil {
			return err
		}
	}
	if err := s.writeResults(); err != nil {
		return err
	}
	s.prog.finish(s.failed, s.diverged)
	if len(s.failed) > 0 || len(s.diverged) > 0 {
		return &UnfittedError{Failed: s.failed, Diverged: s.diverged}
	}
	return nil
}

// UnfittedError is the end of a sweep some of whose runs failed or
// diverged: they are recorded (result.json, results.csv), give no point,
// and are not retried by a later sweep unless their folder is removed.
type UnfittedError struct {
	// Failed and Diverged are "NAME: error" of each such run, in order.
	Failed, Diverged []string
}

// Error lists the runs.
func (e *UnfittedError) Error() string {
	var parts []string
	if len(e.Diverged) > 0 {
		parts = append(parts, fmt.Sprintf("%d run(s) diverged: %s", len(e.Diverged), strings.Join(e.Diverged, "; ")))
	}
	if len(e.Failed) > 0 {
		parts = append(parts, fmt.Sprintf("%d run(s) failed: %s", len(e.Failed), strings.Join(e.Failed, "; ")))
	}
	return strings.Join(parts, "; ") + " (not fitted; each result.json holds the error; remove a run's folder to retry it)"
}

// runJob runs one job: its learning-rate scan, then its points (in wsd
// mode by advancing the stable run to each branch point).
func (s *Sweep) runJob(j Job) error {
	points, stable := j.Points, j.Stable
	if len(j.Scan) > 0 {
		lr, err := s.scanLR(j)
		var fail *runFailure
		if errors.As(err, &fail) {
			s.failed = append(s.failed, fmt.Sprintf("%s lr scan: %v", j.Preset, fail.err))
			s.prog.skipJob(j)
			return nil
		}
		if err != nil {
			return err
		}
		points = make([]RunConfig, len(j.Points))
		for i, c := range j.Points {
			points[i] = c.withLR(lr, s.plan.HParams.MinLRFrac)
		}
		if stable != nil {
			st := stable.withLR(lr, s.plan.HParams.MinLRFrac)
			stable = &st
		}
	}
	if stable != nil {
		return s.runWSD(*stable, points)
	}
	for _, c := range points {
		if _, err := s.runPoint(c); err != nil {
			return err
		}
	}
	return nil
}

// runDir is run c's folder.
func (s *Sweep) runDir(c RunConfig) string {
	if c.Role == RoleLRScan {
		return filepath.Join(s.opt.Out, LRScanDir, c.Name)
	}
	return filepath.Join(s.opt.Out, RunsDir, c.Name)
}
