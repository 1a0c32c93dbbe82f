package main

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plateau-lab/plateau/scaling"
	"github.com/plateau-lab/plateau/train"
)

// crashArgs is the sweep the crash test kills: two presets x three
// budgets (40, 80 and 120 steps of 128 tokens), a checkpoint every 2 to 6
// steps (-saves 20), on one thread so that runs agree bit for bit.
func crashArgs(mode, out string) []string {
	return []string{"-presets", "n100k,n200k", "-tokens", "5.12k,10.24k,15.36k", "-mode", mode,
		"-data", "synthetic:markov1?train=20000&val=4096&doc=256", "-seq", "32", "-batch-tokens", "128",
		"-min-steps", "10", "-evals", "4", "-eval-batches", "2", "-warmup-frac", "0.1", "-saves", "20",
		"-threads", "1", "-out", out}
}

// crashPoints are the points of crashArgs's sweep.
var crashPoints = []string{"n100k-D5.12k", "n100k-D10.2k", "n100k-D15.4k", "n200k-D5.12k", "n200k-D10.2k", "n200k-D15.4k"}

const (
	crashKills = 10                    // per mode
	slowWrite  = 10 * time.Millisecond // PLATEAU_TEST_SLOW_WRITES in the rounds aimed at a write
)

// A target is what a round aims its kill at: a write, told by the path of
// its temporary file or folder (internal/atomicfile's ".NAME.tmp-N"), or,
// when start is nil, a random moment. The round waits for the nth new
// path that start accepts, then lags behind it by up to lag, and counts
// the kill as one during the write when a new path that during accepts is
// there after it.
type target struct {
	name          string
	start, during func(path string) bool
	nth           int           // 0: 1 to 3
	lag           time.Duration // the kill comes lag/2 to lag after the start (0: up to slowWrite/2)
}

// tempOf matches the temporary file or folder of a write of name.
func tempOf(name string) func(string) bool {
	return func(path string) bool { return strings.HasPrefix(filepath.Base(path), "."+name+".tmp-") }
}

// branching matches a wsd branch of the stable run being copied into a
// point's folder that has no checkpoint yet: after the stable run's
// checkpoint at the point's decay start, the metrics (name
// "metrics.jsonl"), then the checkpoint ("model").
func branching(name string) func(string) bool {
	return func(path string) bool {
		dir := filepath.Dir(path)
		_, err := os.Stat(train.ModelDir(dir))
		return os.IsNotExist(err) && !hasOld(dir) && tempOf(name)(path)
	}
}

var (
	atRandom     = target{name: "a random moment"}
	resultWrite  = target{"result.json", tempOf("result.json"), tempOf("result.json"), 1, 0}
	resultsWrite = target{"results.csv", tempOf("results.csv"), tempOf("results.csv"), 1, 0}
	modelWrite   = target{"a checkpoint", tempOf("model"), tempOf("model"), 0, 0}
	// The branch's checkpoint files are copied one by one, each stretched
	// by slowWrite, after its metrics: the kill comes during the copy.
	branchMetrics    = target{"a wsd branch's metrics", branching("metrics.jsonl"), branching("metrics.jsonl"), 1, 0}
	branchCheckpoint = target{"a wsd branch's checkpoint", branching("metrics.jsonl"), branching("model"), 1, 4 * slowWrite}
)

// buildSweep builds this command into a temporary folder.
func buildSweep(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to build the command: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "sweep")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestSweepCrashResume kills a sweep process with SIGKILL crashKills
// times per mode, at seeded random moments or aimed at a write (the
// PLATEAU_TEST_SLOW_WRITES hook stretches each, and the kill comes once
// its temporary file has appeared): a result.json, results.csv, a
// checkpoint or, in wsd mode, a branch being copied from the stable run;
// it restarts the same command each time and finally lets it finish.
// After every kill: every result.json and config.json is whole, valid
// JSON, results.csv (when there) is a whole table with each point once,
// every checkpoint loads, a finished run's result.json and checkpoint are
// exactly as they were first written (content and modification time), the
// process just killed neither trained nor resumed a run that was finished
// when it started, and each run it resumed started from the checkpoint
// the previous kill left. At the end LoadRuns gives every point once with
// no problem, results.csv has each run once, and every run's result,
// metrics.jsonl (every step once), weights and AdamW moments equal those
// of an uninterrupted sweep bit for bit.
func TestSweepCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs it some 25 times")
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}
	bin := buildSweep(t)
	for i, mode := range scaling.Modes {
		t.Run(mode, func(t *testing.T) {
			targets := []target{atRandom, resultWrite, modelWrite, atRandom, resultsWrite}
			if mode == "wsd" {
				targets = append(targets, branchMetrics, branchCheckpoint)
			}
			crashSweep(t, bin, mode, targets, rand.New(rand.NewPCG(2024, uint64(i))))
		})
	}
}

// crashSweep is TestSweepCrashResume in one mode, its rounds aimed in
// turn at targets.
func crashSweep(t *testing.T, bin, mode string, targets []target, rng *rand.Rand) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	if out, err := exec.Command(bin, crashArgs(mode, ref)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted sweep: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "killed")
	st := &crashState{out: out, finished: map[string]string{}, ckpt: map[string]int{}}
	aimed := map[string]int{} // kills that came while a write of the kind was under way
	for round, kills := 0, 0; kills < crashKills; round++ {
		if round == 3*crashKills {
			t.Fatalf("only %d kills in %d rounds", kills, round)
		}
		target := targets[round%len(targets)]
		before := tempFiles(out)
		cmd := exec.Command(bin, crashArgs(mode, out)...)
		if target.start != nil {
			cmd.Env = append(os.Environ(), slowWritesEnv+"="+slowWrite.String())
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		done := st.finishedRuns()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if target.start == nil {
			time.Sleep(time.Duration(20+rng.IntN(130)) * time.Millisecond)
		} else {
			nth, lag := target.nth, target.lag
			if nth == 0 {
				nth = 1 + rng.IntN(3)
			}
			if lag == 0 {
				lag = slowWrite / 2
			}
			waitForWrite(out, target.start, before, nth, exited)
			time.Sleep(lag/2 + time.Duration(rng.Int64N(int64(lag/2))))
		}
		select {
		case err := <-exited:
			t.Fatalf("round %d: the sweep ended (%v) before it was killed %d times; make it longer\n%s", round, err, crashKills, stderr.String())
		default:
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-exited
		kills++
		mid := target.during != nil && slices.ContainsFunc(newTemps(out, before), target.during)
		if mid {
			aimed[target.name]++
		}
		st.check(t, round, done, stderr.String())
		t.Logf("kill %d, aimed at %s: during the write %v; finished runs %d", kills, target.name, mid, len(st.finished))
	}
	t.Logf("kills during a write: %v", aimed)
	for _, target := range targets {
		if target.during != nil && aimed[target.name] == 0 {
			t.Errorf("no kill came during the write of %s", target.name)
		}
	}

	done := st.finishedRuns()
	final, err := exec.Command(bin, crashArgs(mode, out)...).CombinedOutput()
	if err != nil {
		t.Fatalf("final sweep: %v\n%s", err, final)
	}
	st.check(t, -1, done, string(final))
	checkComplete(t, out)
	compareSweeps(t, out, ref)
}

// tempFiles lists the temporary files and folders (atomicfile's
// ".NAME.tmp-N") under out, by path.
func tempFiles(out string) map[string]bool {
	m := map[string]bool{}
	_ = filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if strings.Contains(d.Name(), ".tmp-") {
			m[path] = true
			if d.IsDir() {
				return filepath.SkipDir
			}
		}
		return nil
	})
	return m
}

// newTemps lists the temporary files under out that are not in before.
func newTemps(out string, before map[string]bool) []string {
	var paths []string
	for path := range tempFiles(out) {
		if !before[path] {
			paths = append(paths, path)
		}
	}
	return paths
}

// waitForWrite waits until the nth new temporary file or folder that
// match accepts has appeared under out (the nth such write of the process
// has begun), or the process exits, or 10 seconds pass.
func waitForWrite(out string, match func(string) bool, before map[string]bool, n int, exited chan error) {
	seen := map[string]bool{}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && len(exited) == 0; {
		for _, path := range newTemps(out, before) {
			if !seen[path] && match(path) {
				if seen[path] = true; len(seen) == n {
					return
				}
			}
		}
		time.Sleep(time.Millisecond)
	}
}
