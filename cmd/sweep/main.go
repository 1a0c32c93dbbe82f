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
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case isUsage(err):
		fmt.Fprintln(os.Stderr, "sweep:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "sweep:", err)
		os.Exit(1)
	}
}
