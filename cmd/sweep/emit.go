package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/plateau-lab/plateau/internal/atomicfile"
	"github.com/plateau-lab/plateau/scaling"
)

// emit writes the plan into the sweep folder (OUT/plan.json, the file
// every task reads) and the cluster job that runs its jobs: a Slurm
// job-array script OUT/sweep.sbatch or a Kubernetes Indexed Job
// OUT/sweep-job.yaml.
func emit(w io.Writer, f *flags, p scaling.Plan, source string, exp *scaling.Expansion) error {
	c := f.cluster
	switch {
	case f.emit == "k8s" && c.image == "":
		return usagef("flag -image: required with -emit k8s: the container image that holds the sweep binary")
	case f.emit == "k8s" && c.claim == "":
		return usagef("flag -claim: required with -emit k8s: the PersistentVolumeClaim that holds -out")
	case c.parallelism < 0:
		return usagef("flag -parallelism %d: want >= 0 (0: no limit)", c.parallelism)
	case c.cpus <= 0:
		return usagef("flag -cpus %d: want a positive number", c.cpus)
	}
	out, err := f.absOut()
	if err != nil {
		return err
	}
	planPath, err := scaling.SavePlan(out, p, source)
	if err != nil {
		return err
	}
	o := scaling.EmitOptions{
		Plan: planPath, Out: out, Command: c.bin, Args: f.taskArgs(), Name: c.name, Parallelism: c.parallelism,
		Partition: c.partition, Time: c.time, CPUs: c.cpus, Image: c.image, Claim: c.claim,
	}
	var file, submit string
	var write func(io.Writer) error
	switch f.emit {
	case "slurm":
		if err := os.MkdirAll(filepath.Join(out, "logs"), 0o755); err != nil {
			return fmt.Errorf("slurm log folder: %w", err)
		}
		file = filepath.Join(out, "sweep.sbatch")
		submit = "sbatch " + file
		write = func(w io.Writer) error { return scaling.EmitSlurm(w, file, exp.Jobs, o) }
	default:
		file = filepath.Join(out, "sweep-job.yaml")
		submit = "kubectl apply -f " + file
		write = func(w io.Writer) error { return scaling.EmitKubernetes(w, file, exp.Jobs, o) }
	}
	if err := atomicfile.Write(file, write); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s: %d tasks (one per job, one GPU each) for %d points of %s\nsubmit with: %s\n",
		file, len(exp.Jobs), len(exp.Points), planPath, submit)
	return nil
}
