package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/train"
)

// crashArgs is a tiny run with a checkpoint every crashSave steps and a
// metrics line every step, on one thread so that runs agree bit for bit.
var crashArgs = []string{"-data", "synthetic:markov1?train=20000&val=4096&doc=256", "-preset", "n100k",
	"-batch", "4", "-seq", "32", "-steps", strconv.Itoa(crashSteps), "-save-every", strconv.Itoa(crashSave),
	"-eval-every", "50", "-eval-batches", "2", "-log-every", "1", "-threads", "1"}

const (
	crashSteps = 600
	crashSave  = 5
	crashKills = 16
)

// buildTrain builds this command into a temporary folder.
func buildTrain(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to build the command: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "train")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestCrashResume kills a training process with SIGKILL at random moments
// (seeded), half of the time while a checkpoint is being written (the
// PLATEAU_TEST_SLOW_WRITES hook stretches each file of a checkpoint, and
// the kill comes once the temporary folder has appeared), and resumes it
// with -resume each time. After every kill the checkpoint on disk is
// complete and loadable (weights, moments, trainer state), never older
// than the last one the run was known to have finished, and the next
// process resumes from exactly that step. In the end the killed-and-resumed
// run's weights and AdamW moments equal an uninterrupted run's byte for
// byte, and its metrics.jsonl holds every step once, with the same losses.
func TestCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs it some 20 times")
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}
	bin := buildTrain(t)
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	if out, err := exec.Command(bin, append(crashArgs, "-out", ref)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}

	out := filepath.Join(dir, "killed")
	rng := rand.New(rand.NewPCG(2024, 11))
	resumedRE := regexp.MustCompile(`resumed from .* at step (\d+)\n`)
	kills, midSave, saved := 0, 0, 0
	for round := 0; kills < crashKills; round++ {
		if round == 4*crashKills {
			t.Fatalf("only %d kills in %d rounds", kills, round)
		}
		slow := round%2 == 1
		cmd := exec.Command(bin, append(crashArgs, "-out", out, "-resume")...)
		if slow {
			cmd.Env = append(os.Environ(), slowWritesEnv+"=25ms")
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if slow {
			waitForTemp(out, 1+rng.IntN(3), exited)
			time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		} else {
			time.Sleep(time.Duration(10+rng.IntN(140)) * time.Millisecond)
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("round %d: %v\n%s", round, err, stderr.String())
			}
			t.Fatalf("round %d: the run finished before it was killed %d times; make it longer", round, crashKills)
		default:
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-exited
		kills++
		if slow && hasTemp(out) {
			midSave++
		}
		if m := resumedRE.FindStringSubmatch(stderr.String()); m != nil && m[1] != strconv.Itoa(saved) {
			t.Errorf("kill %d: the run resumed at step %s; the last checkpoint was from step %d", kills, m[1], saved)
		}
		saved = checkAfterKill(t, kills, out, saved)
		t.Logf("kill %d (slow writes %v): checkpoint from step %d", kills, slow, saved)
	}
	t.Logf("%d kills, %d of them while a checkpoint was being written; last checkpoint before the final resume: step %d", kills, midSave, saved)
	if midSave < crashKills/4 {
		t.Errorf("only %d kills came while a checkpoint was being written", midSave)
	}

	final, err := exec.Command(bin, append(crashArgs, "-out", out, "-resume")...).CombinedOutput()
	if err != nil {
		t.Fatalf("final resume: %v\n%s", err, final)
	}
	for _, name := range []string{model.ConfigFile, model.WeightsFile, train.OptimizerFile} {
		a, errA := os.ReadFile(filepath.Join(train.ModelDir(ref), name))
		b, errB := os.ReadFile(filepath.Join(train.ModelDir(out), name))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s of the killed-and-resumed run differs from the uninterrupted run's (%v, %v)", name, errA, errB)
		}
	}
	compareMetrics(t, out, ref)
}

// waitForTemp waits until a checkpoint's temporary folder has appeared in
// out n times (the nth save of the process has begun), or the process
// exits, or 5 seconds pass.
func waitForTemp(out string, n int, exited chan error) {
	seen, was := 0, hasTemp(out)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && len(exited) == 0; {
		is := hasTemp(out)
		if is && !was {
			if seen++; seen == n {
				return
			}
		}
		was = is
		time.Sleep(time.Millisecond)
	}
}

// hasTemp reports whether out holds a checkpoint's temporary folder.
func hasTemp(out string) bool {
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".model.tmp-") {
			return true
		}
	}
	return false
}

// checkAfterKill checks the run folder after kill number kill: the
// checkpoint loads in full (after recovery from a save cut short), and it
// is from a save step no older than saved, the checkpoint of the previous
// kill, nor than the last save that metrics.jsonl shows finished (a step's
// metrics line is written after the checkpoint of the step before). It
// returns the checkpoint's step (0: none yet).
func checkAfterKill(t *testing.T, kill int, out string, saved int) int {
	t.Helper()
	logged := 0
	if f, err := os.Open(filepath.Join(out, "metrics.jsonl")); err == nil {
		recs, err := train.ReadMetrics(f)
		f.Close()
		if err != nil {
			t.Fatalf("kill %d: metrics.jsonl: %v", kill, err)
		}
		if len(recs) > 0 {
			logged = recs[len(recs)-1].Step
		}
	}
	finished := max(0, (logged-1)/crashSave*crashSave) // the save at this step was done before step logged
	if _, err := os.Stat(filepath.Join(train.ModelDir(out), model.ConfigFile)); err != nil && finished == 0 && saved == 0 {
		if _, err := os.Stat(filepath.Join(out, ".model.old")); err != nil {
			return 0 // killed before the first checkpoint
		}
	}
	ck, err := train.ReadCheckpoint(train.ModelDir(out))
	if err != nil {
		t.Fatalf("kill %d (metrics at step %d, last checkpoint %d): the checkpoint does not load: %v", kill, logged, saved, err)
	}
	s := ck.State.Step
	if s%crashSave != 0 || s < saved || s < finished || s > logged {
		t.Fatalf("kill %d: checkpoint from step %d; want a multiple of %d, at least %d (the last one seen) and %d (the last finished), at most %d (the last logged)",
			kill, s, crashSave, saved, finished, logged)
	}
	return s
}

// compareMetrics checks that run's metrics.jsonl logs the same steps as
// ref's, each once and in order, with the same losses, gradient norms and
// learning rates bit for bit.
func compareMetrics(t *testing.T, run, ref string) {
	t.Helper()
	read := func(dir string) []train.Record {
		recs, err := train.ReadMetricsFile(filepath.Join(dir, "metrics.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	got, want := read(run), read(ref)
	if len(got) != len(want) {
		t.Errorf("metrics.jsonl has %d lines, the uninterrupted run's %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		key := func(r train.Record) string {
			v := "none"
			if r.ValLoss != nil {
				v = fmt.Sprint(*r.ValLoss)
			}
			return fmt.Sprint(r.Step, r.Tokens, r.TrainLoss, r.GradNorm, r.LR, v)
		}
		if key(g) != key(w) {
			t.Fatalf("metrics line %d: %s, want %s (step tokens loss gnorm lr val)", i, key(g), key(w))
		}
	}
}
