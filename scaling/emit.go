package scaling

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"
)

// EmitOptions describe the cluster job that runs a plan's jobs as an
// array, one task per job, each task running
//
//	COMMAND -plan PLAN -out OUT -index I ARGS...
//
// on one GPU, all tasks writing into the shared sweep folder OUT.
type EmitOptions struct {
	// Plan is the plan file and Out the sweep folder, both absolute paths
	// on the file system the tasks share (for Kubernetes, Plan must lie
	// inside Out, the volume the tasks mount).
	Plan, Out string
	// Command is the sweep binary as the tasks find it; "" is "sweep".
	Command string
	// Args are more flags for every task, such as "-device", "cuda".
	Args []string
	// Name names the job; "" is "plateau-sweep". For Kubernetes it must be
	// a DNS label (lower-case letters, digits and '-').
	Name string
	// Parallelism is how many tasks run at once; 0 is no limit (Slurm)
	// or all of them (Kubernetes).
	Parallelism int

	// Slurm: the partition (optional), the time limit per task ("" leaves
	// the cluster's default) and the CPUs per task (0 is 8).
	Partition string
	Time      string
	CPUs      int

	// Kubernetes: the container image that holds Command, the
	// PersistentVolumeClaim mounted at Out, and the GPU resource name
	// ("" is nvidia.com/gpu).
	Image       string
	Claim       string
	GPUResource string
}

// withDefaults fills the options' defaults and checks what both formats
// need.
func (o EmitOptions) withDefaults(jobs []Job) (EmitOptions, error) {
	if o.Command == "" {
		o.Command = "sweep"
	}
	if o.Name == "" {
		o.Name = "plateau-sweep"
	}
	if o.CPUs == 0 {
		o.CPUs = 8
	}
	if o.GPUResource == "" {
		o.GPUResource = "nvidia.com/gpu"
	}
	switch {
	case len(jobs) == 0:
		return o, errors.New("emit: the plan has no jobs")
	case !filepath.IsAbs(o.Plan):
		return o, fmt.Errorf("emit: plan %q: want an absolute path on the shared file system", o.Plan)
	case !filepath.IsAbs(o.Out):
		return o, fmt.Errorf("emit: out %q: want an absolute path on the shared file system", o.Out)
	case strings.ContainsAny(o.Plan+o.Out, "\n\r"):
		return o, errors.New("emit: the plan and out paths must not contain line breaks")
	case o.Parallelism < 0:
		return o, fmt.Errorf("emit: parallelism %d: want >= 0 (0: no limit)", o.Parallelism)
	case o.CPUs < 0:
		return o, fmt.Errorf("emit: cpus %d: want > 0", o.CPUs)
	}
	return o, nil
}

// taskPrefix is a task's command line up to its index, which follows.
func (o EmitOptions) taskPrefix() []string {
	return []string{o.Command, "-plan", o.Plan, "-out", o.Out, "-index"}
}

// describeJobs is a line per job saying what it trains, for the emitted
// file's comments.
func describeJobs(jobs []Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		var names []string
		if len(j.Scan) > 0 {
			names = append(names, fmt.Sprintf("lr scan (%d runs)", len(j.Scan)))
		}
		if j.Stable != nil {
			names = append(names, j.Stable.Name)
		}
		for _, c := range j.Points {
			names = append(names, c.Name)
		}
		out[i] = fmt.Sprintf("%d: %s", j.Index, strings.Join(names, ", "))
	}
	return out
}

// slurmSafe matches what may stand unquoted in an #SBATCH line, which
// Slurm reads without a shell.
var slurmSafe = regexp.MustCompile(`^[A-Za-z0-9_./:%@+=,-]*$`)

var slurmTemplate = template.Must(template.New("slurm").Funcs(template.FuncMap{"sh": shellQuote}).Parse(`#!/bin/bash
#SBATCH --job-name={{.O.Name}}
#SBATCH --array=0-{{.Last}}{{if .O.Parallelism}}%{{.O.Parallelism}}{{end}}
#SBATCH --ntasks=1
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task={{.O.CPUs}}
{{- if .O.Time}}
#SBATCH --time={{.O.Time}}
{{- end}}
{{- if .O.Partition}}
#SBATCH --partition={{.O.Partition}}
{{- end}}
#SBATCH --output={{.O.Out}}/logs/%x-%A_%a.out
#
# plateau sweep: {{.N}} independent jobs of the plan {{.O.Plan}},
# one per array task, each on one GPU, all writing into {{.O.Out}}.
# A task that is requeued or resubmitted resumes its runs from their
# checkpoints; finished runs are skipped. Submit with:
#
#   sbatch {{.Script}}
#
# Jobs:
{{- range .Jobs}}
#   {{.}}
{{- end}}
set -euo pipefail
exec{{range .Cmd}} {{sh .}}{{end}} "$SLURM_ARRAY_TASK_ID"{{range .Args}} {{sh .}}{{end}}
`))

// EmitSlurm writes a Slurm batch script that runs jobs as a job array
// (--array=0-(n-1)), task i running job i on one GPU. script is the path
// the script will have, for its usage comment. Slurm writes the tasks'
// output into OUT/logs, which must exist before submission.
func EmitSlurm(w io.Writer, script string, jobs []Job, o EmitOptions) error {
	o, err := o.withDefaults(jobs)
	if err != nil {
		return err
	}
	for _, v := range []struct{ name, val string }{{"name", o.Name}, {"out", o.Out}, {"time", o.Time}, {"partition", o.Partition}} {
		if !slurmSafe.MatchString(v.val) {
			return fmt.Errorf("emit slurm: %s %q: #SBATCH lines take no spaces or shell characters", v.name, v.val)
		}
	}
	return slurmTemplate.Execute(w, map[string]any{
		"O": o, "N": len(jobs), "Last": len(jobs) - 1, "Script": script, "Jobs": describeJobs(jobs),
		"Cmd": o.taskPrefix(), "Args": o.Args,
	})
}

// shellQuote quotes s for bash when it holds anything but plain
// characters.
func shellQuote(s string) string {
	if s != "" && slurmSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// dnsLabel matches a Kubernetes object name.
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

var k8sTemplate = template.Must(template.New("k8s").Funcs(template.FuncMap{"q": yamlQuote}).Parse(`# plateau sweep: {{.N}} independent jobs of the plan {{.O.Plan}},
# one per completion index, each on one GPU, all writing into {{.O.Out}}
# on the volume claim {{.O.Claim}}. A restarted index resumes its runs from
# their checkpoints; finished runs are skipped. Submit with:
#
#   kubectl apply -f {{.File}}
#
# Jobs:
{{- range .Jobs}}
#   {{.}}
{{- end}}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{q .O.Name}}
spec:
  completionMode: Indexed
  completions: {{.N}}
  parallelism: {{.Parallelism}}
  backoffLimit: {{.Backoff}}
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: sweep
          image: {{q .O.Image}}
          command:
{{- range .Cmd}}
            - {{q .}}
{{- end}}
          resources:
            limits:
              {{q .O.GPUResource}}: 1
          volumeMounts:
            - name: shared
              mountPath: {{q .O.Out}}
      volumes:
        - name: shared
          persistentVolumeClaim:
            claimName: {{q .O.Claim}}
`))

// EmitKubernetes writes a Kubernetes Job manifest in Indexed completion
// mode: completions = len(jobs), the container running job
// $(JOB_COMPLETION_INDEX) (the index Kubernetes sets in every pod of an
// Indexed Job) with one GPU, the claim mounted at Out. file is the path
// the manifest will have, for its usage comment.
func EmitKubernetes(w io.Writer, file string, jobs []Job, o EmitOptions) error {
	o, err := o.withDefaults(jobs)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(o.Out, o.Plan)
	switch {
	case !dnsLabel.MatchString(o.Name):
		return fmt.Errorf("emit kubernetes: name %q: want a DNS label (lower-case letters, digits, '-')", o.Name)
	case o.Image == "":
		return errors.New("emit kubernetes: no container image: want one that holds the sweep command")
	case o.Claim == "":
		return errors.New("emit kubernetes: no volume claim: want the PersistentVolumeClaim that holds the sweep folder")
	case err != nil || strings.HasPrefix(rel, ".."):
		return fmt.Errorf("emit kubernetes: plan %s is outside the sweep folder %s, the only folder the tasks mount", o.Plan, o.Out)
	}
	par := o.Parallelism
	if par == 0 || par > len(jobs) {
		par = len(jobs)
	}
	return k8sTemplate.Execute(w, map[string]any{
		"O": o, "N": len(jobs), "Parallelism": par, "Backoff": 2 * len(jobs), "File": file,
		"Jobs": describeJobs(jobs), "Cmd": append(append(o.taskPrefix(), "$(JOB_COMPLETION_INDEX)"), o.Args...),
	})
}

// yamlQuote writes s as a YAML double-quoted scalar (a JSON string is
// one).
func yamlQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
