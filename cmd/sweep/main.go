// Command sweep trains a scaling-law sweep: a grid of model sizes N
// (presets) and token budgets D, or IsoFLOP budgets C, one run folder per
// point, resumable and idempotent, on one device or as a Slurm job array
// or Kubernetes Indexed Job whose tasks share the sweep folder.
//
//	go run ./cmd/sweep -presets n100k,n200k,n400k -tokens 2M,4M,8M -out runs/sweep -dry-run
//	go run ./cmd/sweep -presets n100k,n200k,n400k -tokens 2M,4M,8M -out runs/sweep
//	go run ./cmd/sweep -presets n100k,n200k -flops 1e13,3e13 -mode wsd -out runs/wsd
//	go run ./cmd/sweep -plan sweep.json -out /shared/sweep -emit slurm   # then: sbatch /shared/sweep/sweep.sbatch
//	sweep -plan /shared/sweep/plan.json -out /shared/sweep -index 3      # what array task 3 runs
//
// Finished runs become points: scaling.LoadRuns reads the sweep folder,
// and OUT/results.csv is the table of every point.
//
// A sweep killed at any moment is started again with the same command: it
// skips the finished runs and resumes the interrupted one from its last
// checkpoint (docs/guarantees.md). A run whose loss or gradient becomes NaN
// or infinite is recorded as diverged (-on-nan skip instead drops such
// batches, lowering the learning rate, up to -nan-max-skips of them), and
// the sweep goes on with the other runs. The exit status is 0 when every
// run is done, 3 when some diverged and none failed, 2 for a bad command
// line and 1 otherwise.
//
// For crash tests only: when the environment variable
// PLATEAU_TEST_SLOW_WRITES holds a duration ("50ms"), every file the sweep
// writes waits that long while it is being written, so that a test can
// kill the process in the middle of a write. Unset, it does nothing.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/plateau-lab/plateau/scaling"
)

// exitDiverged is the exit status of a sweep some of whose runs diverged,
// none failed: cmd/train's for a diverged run.
const exitDiverged = 3

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "sweep:", err)
	}
	os.Exit(exitStatus(err))
}

// exitStatus is the command's exit status after run returned err: 0 for
// success (and -help), 2 for a bad command line, exitDiverged when the
// only runs that did not finish diverged, 1 otherwise.
func exitStatus(err error) int {
	var unf *scaling.UnfittedError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case isUsage(err):
		return 2
	case errors.As(err, &unf) && len(unf.Failed) == 0:
		return exitDiverged
	}
	return 1
}
