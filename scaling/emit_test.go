package scaling

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// emitJobs are the jobs of the tiny cosine plan: four, one per point.
func emitJobs(t *testing.T) []Job {
	t.Helper()
	e, err := tinyPlan(t, "cosine").Expand()
	if err != nil {
		t.Fatal(err)
	}
	return e.Jobs
}

// TestEmitSlurm checks the script with bash -n, its #SBATCH lines, and
// its command line by running it with a stand-in sweep binary that
// prints its arguments.
func TestEmitSlurm(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "fake sweep")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	jobs := emitJobs(t)
	o := EmitOptions{Plan: "/shared/sweep/plan.json", Out: "/shared/sweep", Command: fake, Args: []string{"-device", "cuda"},
		Parallelism: 2, Time: "12:00:00", Partition: "gpu"}
	var buf bytes.Buffer
	script := filepath.Join(dir, "sweep.sbatch")
	if err := EmitSlurm(&buf, script, jobs, o); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s\n%s", err, out, buf.String())
	}
	sbatch := map[string]string{}
	for line := range strings.SplitSeq(buf.String(), "\n") {
		if opt, ok := strings.CutPrefix(line, "#SBATCH "); ok {
			k, v, _ := strings.Cut(opt, "=")
			sbatch[k] = v
		}
	}
	want := map[string]string{
		"--array": "0-3%2", "--gres": "gpu:1", "--ntasks": "1", "--time": "12:00:00", "--partition": "gpu",
		"--output": "/shared/sweep/logs/%x-%A_%a.out", "--job-name": "plateau-sweep", "--cpus-per-task": "8",
	}
	for k, v := range want {
		if sbatch[k] != v {
			t.Errorf("#SBATCH %s=%q, want %q", k, sbatch[k], v)
		}
	}
	cmd := exec.Command("bash", script)
	cmd.Env = append(os.Environ(), "SLURM_ARRAY_TASK_ID=3")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Split(strings.TrimSpace(string(out)), "\n")
	wantArgs := []string{"-plan", "/shared/sweep/plan.json", "-out", "/shared/sweep", "-index", "3", "-device", "cuda"}
	if !slices.Equal(args, wantArgs) {
		t.Errorf("task 3 ran the sweep with %q, want %q", args, wantArgs)
	}
}

func TestEmitKubernetes(t *testing.T) {
	jobs := emitJobs(t)
	o := EmitOptions{Plan: "/shared/sweep/plan.json", Out: "/shared/sweep", Args: []string{"-device", "cuda"},
		Image: "ghcr.io/lab/plateau:1", Claim: "sweeps", Parallelism: 3}
	var buf bytes.Buffer
	if err := EmitKubernetes(&buf, "/shared/sweep/sweep-job.yaml", jobs, o); err != nil {
		t.Fatal(err)
	}
	var m struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int    `yaml:"completions"`
			Parallelism    int    `yaml:"parallelism"`
			Template       struct {
				Spec struct {
					RestartPolicy string `yaml:"restartPolicy"`
					Containers    []struct {
						Image     string   `yaml:"image"`
						Command   []string `yaml:"command"`
						Resources struct {
							Limits map[string]int `yaml:"limits"`
						} `yaml:"resources"`
						VolumeMounts []struct {
							Name      string `yaml:"name"`
							MountPath string `yaml:"mountPath"`
						} `yaml:"volumeMounts"`
					} `yaml:"containers"`
					Volumes []struct {
						Name string `yaml:"name"`
						PVC  struct {
							ClaimName string `yaml:"claimName"`
						} `yaml:"persistentVolumeClaim"`
					} `yaml:"volumes"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m.APIVersion != "batch/v1" || m.Kind != "Job" || m.Metadata.Name != "plateau-sweep" || m.Spec.CompletionMode != "Indexed" || m.Spec.Completions != 4 || m.Spec.Parallelism != 3 {
		t.Errorf("manifest %s %s, completion mode %q, completions %d, parallelism %d; want batch/v1 Job, Indexed, 4, 3",
			m.APIVersion, m.Kind, m.Spec.CompletionMode, m.Spec.Completions, m.Spec.Parallelism)
	}
	pod := m.Spec.Template.Spec
	if len(pod.Containers) != 1 || len(pod.Volumes) != 1 {
		t.Fatalf("pod %+v: want one container and one volume", pod)
	}
	c := pod.Containers[0]
	wantCmd := []string{"sweep", "-plan", "/shared/sweep/plan.json", "-out", "/shared/sweep", "-index", "$(JOB_COMPLETION_INDEX)", "-device", "cuda"}
	if !slices.Equal(c.Command, wantCmd) {
		t.Errorf("command %q, want %q", c.Command, wantCmd)
	}
	if c.Image != o.Image || c.Resources.Limits["nvidia.com/gpu"] != 1 || pod.RestartPolicy != "Never" {
		t.Errorf("container image %q, limits %v, restart %q", c.Image, c.Resources.Limits, pod.RestartPolicy)
	}
	if len(c.VolumeMounts) != 1 || c.VolumeMounts[0].MountPath != "/shared/sweep" || c.VolumeMounts[0].Name != pod.Volumes[0].Name || pod.Volumes[0].PVC.ClaimName != "sweeps" {
		t.Errorf("volume mounts %+v, volumes %+v: want the claim sweeps at /shared/sweep", c.VolumeMounts, pod.Volumes)
	}
}

func TestEmitRejects(t *testing.T) {
	jobs := emitJobs(t)
	good := EmitOptions{Plan: "/s/plan.json", Out: "/s", Image: "img", Claim: "c"}
	cases := []struct {
		name string
		edit func(o *EmitOptions)
		k8s  bool
		want string
	}{
		{"relative out", func(o *EmitOptions) { o.Out = "runs" }, false, "absolute"},
		{"relative plan", func(o *EmitOptions) { o.Plan = "plan.json" }, true, "absolute"},
		{"space in out", func(o *EmitOptions) { o.Out, o.Plan = "/my runs", "/my runs/plan.json" }, false, "#SBATCH"},
		{"no image", func(o *EmitOptions) { o.Image = "" }, true, "image"},
		{"no claim", func(o *EmitOptions) { o.Claim = "" }, true, "claim"},
		{"plan outside out", func(o *EmitOptions) { o.Plan = "/elsewhere/plan.json" }, true, "outside"},
		{"bad name", func(o *EmitOptions) { o.Name = "My_Sweep" }, true, "DNS"},
		{"negative parallelism", func(o *EmitOptions) { o.Parallelism = -1 }, false, "parallelism"},
	}
	for _, c := range cases {
		o := good
		c.edit(&o)
		var err error
		if c.k8s {
			err = EmitKubernetes(&bytes.Buffer{}, "job.yaml", jobs, o)
		} else {
			err = EmitSlurm(&bytes.Buffer{}, "job.sbatch", jobs, o)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	if err := EmitSlurm(&bytes.Buffer{}, "x", nil, good); err == nil {
		t.Error("no jobs: no error")
	}
}
