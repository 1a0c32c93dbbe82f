//go:build !openblas

package cpu

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func threadNS() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
	return ts.Nano()
}

func procNS() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts)
	return ts.Nano()
}

func TestZZTune(t *testing.T) {
	if os.Getenv("TUNE") == "" {
		t.Skip()
	}
	runtime.LockOSThread()
	kern := bestSgemmKernel()
	if v := os.Getenv("KC"); v != "" {
		kern.kc, _ = strconv.Atoi(v)
	}
	if v := os.Getenv("MC"); v != "" {
		kern.mc, _ = strconv.Atoi(v)
	}
	if v := os.Getenv("NC"); v != "" {
		kern.nc, _ = strconv.Atoi(v)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range strings.Split(os.Getenv("TUNE"), ",") {
		var m, n, k int
		var tr string
		fmt.Sscanf(s, "%dx%dx%d/%s", &m, &n, &k, &tr)
		a := randSlice[float32](rng, m*k)
		b := randSlice[float32](rng, k*n)
		c := make([]float32, m*n)
		ta, tb := tr[0] == 'T', tr[1] == 'T'
		reps := max(1, int(2e8/(2*float64(m*n*k))))
		best := 1e18
		var pool *Pool
		clock := threadNS
		if os.Getenv("THREADS") != "" {
			th, _ := strconv.Atoi(os.Getenv("THREADS"))
			pool = NewPool(th)
			clock = procNS
		}
		bestWall := 1e18
		for range 7 {
			t0 := clock()
			w0 := time.Now()
			for range reps {
				sgemmWith(kern, pool, ta, tb, m, n, k, 1, a, b, 0, c)
			}
			best = min(best, float64(clock()-t0)/float64(reps))
			bestWall = min(bestWall, float64(time.Since(w0).Nanoseconds())/float64(reps))
		}
		fmt.Printf("%-22s %7.1f GFLOP/cpu-s  %7.1f GFLOP/s wall\n", s, 2*float64(m*n*k)/best, 2*float64(m*n*k)/bestWall)
	}
}
