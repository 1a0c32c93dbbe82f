package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/plateau-lab/plateau/scaling"
)

// slowWritesEnv names the environment variable of the crash-test hook, as
// cmd/train reads it: a duration every file the sweep writes waits.
const slowWritesEnv = "PLATEAU_TEST_SLOW_WRITES"

// slowWrites sets the crash-test hook of opt from value, the content of
// PLATEAU_TEST_SLOW_WRITES: empty leaves opt as it is (the normal
// writes); a duration makes every file the runs' trainers create
// (checkpoints, metrics.jsonl) wait that long before it is created, and
// every file the sweep writes itself (config.json, result.json,
// results.csv, lrscan.json, a wsd branch's copies) wait that long once its
// temporary file exists. Stretching the writes this way lets a test kill
// the process while one is half done.
func slowWrites(value string, opt *scaling.SweepOptions) error {
	if value == "" {
		return nil
	}
	d, err := time.ParseDuration(value)
	if err != nil || d < 0 {
		return fmt.Errorf("environment %s=%q: want a duration such as 50ms", slowWritesEnv, value)
	}
	opt.OpenFile = func(name string, flag int, perm fs.FileMode) (io.WriteCloser, error) {
		time.Sleep(d)
		return os.OpenFile(name, flag, perm)
	}
	opt.Writing = func(string) { time.Sleep(d) }
	return nil
}
