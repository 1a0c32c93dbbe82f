package main

import (
	"fmt"
	"io"
	"os"

	"github.com/plateau-lab/plateau/scaling"
)

// run is the command: parse the flags, build the plan, then print it
// (-dry-run), write a cluster job (-emit), run one job (-index) or run
// the whole sweep. Errors of the command line are usageErrors.
func run(args []string, stdout, stderr io.Writer) error {
	f, err := parse(args, stderr)
	if err != nil {
		return err
	}
	p, source, err := f.buildPlan()
	if err != nil {
		return err
	}
	exp, err := p.Expand()
	if err != nil {
		if source == "flags" {
			return flagError(err)
		}
		return fmt.Errorf("%s: %w", source, err)
	}
	switch {
	case f.dryRun:
		return dryRun(stdout, f, p, exp)
	case f.emit != "":
		return emit(stdout, f, p, source, exp)
	case f.index >= len(exp.Jobs):
		return usagef("flag -index %d: the plan has jobs 0 to %d", f.index, len(exp.Jobs)-1)
	}
	dev, err := f.dev.Open()
	if err != nil {
		return usageError{err}
	}
	defer dev.Close()
	opt := scaling.SweepOptions{Out: f.out, Log: stderr, PlanSource: source}
	if err := slowWrites(os.Getenv(slowWritesEnv), &opt); err != nil {
		return err
	}
	s, err := scaling.NewSweep(p, dev, opt)
	if err != nil {
		return err
	}
	if f.index >= 0 {
		return s.RunJob(f.index)
	}
	return s.Run()
}
