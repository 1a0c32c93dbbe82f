package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/plateau-lab/plateau/model"
)

// slowWritesEnv names the environment variable of the crash-test hook: a
// duration every file the run writes waits before it is created.
const slowWritesEnv = "PLATEAU_TEST_SLOW_WRITES"

// slowWrites returns the file opener of the crash-test hook set to value,
// the content of PLATEAU_TEST_SLOW_WRITES: nil (the normal os.OpenFile)
// when value is empty, otherwise os.OpenFile after a sleep of that
// duration. Stretching every checkpoint write this way lets a test kill the
// process while the temporary checkpoint folder is half written.
func slowWrites(value string) (model.OpenFunc, error) {
	if value == "" {
		return nil, nil
	}
	d, err := time.ParseDuration(value)
	if err != nil || d < 0 {
		return nil, fmt.Errorf("environment %s=%q: want a duration such as 50ms", slowWritesEnv, value)
	}
	return func(name string, flag int, perm fs.FileMode) (io.WriteCloser, error) {
		time.Sleep(d)
		return os.OpenFile(name, flag, perm)
	}, nil
}
