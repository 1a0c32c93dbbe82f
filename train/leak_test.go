package train

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/plateau-lab/plateau/internal/faultio"
	"github.com/plateau-lab/plateau/kernels"
)

// countingDevice is a device that keeps the allocations made through it, so
// that a test sees the device memory a run leaves behind. (kernels.Device
// has no call that reports allocated bytes; this counts what goes through
// Alloc and Free, which is all the memory the executor, the weights and the
// optimizer hold.)
type countingDevice struct {
	kernels.Device
	mu    sync.Mutex
	live  map[kernels.Buf]int64 // allocation (Off 0, N 0) -> bytes
	stray int                   // frees of buffers not allocated here, or freed twice
}

// allocation names the allocation b belongs to: b moved to its start with
// no length.
func allocation(b kernels.Buf) kernels.Buf { return b.Slice(-b.Off, 0) }

func (d *countingDevice) Alloc(n int, dt kernels.DType) (kernels.Buf, error) {
	b, err := d.Device.Alloc(n, dt)
	if err == nil {
		d.mu.Lock()
		d.live[allocation(b)] = 4 * int64(n)
		d.mu.Unlock()
	}
	return b, err
}

func (d *countingDevice) Free(b kernels.Buf) {
	d.mu.Lock()
	if _, ok := d.live[allocation(b)]; ok {
		delete(d.live, allocation(b))
	} else {
		d.stray++
	}
	d.mu.Unlock()
	d.Device.Free(b)
}

// liveBytes returns the bytes and number of allocations not freed.
func (d *countingDevice) liveBytes() (int64, int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var sum int64
	for _, n := range d.live {
		sum += n
	}
	return sum, len(d.live)
}

// openFDs counts the process's open file descriptors (Linux).
func openFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// TestNoLeaks runs tiny runs back to back in one process on one device, as
// a sweep does, including runs that diverge, that skip a batch, that meet a
// full disk and that resume; after each Close the device holds no memory
// the run allocated, and after all of them the process has no more
// goroutines or open files than before (beyond a constant slack of 2
// goroutines for the runtime's own, such as a finalizer or a timer).
func TestNoLeaks(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("counts open files in /proc/self/fd")
	}
	runs := 50
	if testing.Short() {
		runs = 10
	}
	dev := &countingDevice{Device: kernels.NewCPU(2), live: map[kernels.Buf]int64{}}
	defer dev.Close()
	root := t.TempDir()
	one := func(i int) error {
		out := filepath.Join(root, fmt.Sprint(i%5))
		cfg, d, opt := tiny(out, 8)
		fd := &faultDevice{Device: dev, kernel: "SumSquares", value: float32(math.NaN()), poison: at(6)}
		switch i % 5 {
		case 1: // diverges at step 6
		case 2: // skips the batch at step 6
			opt.OnNaN.Skip = true
		case 3: // the disk fills up in the second checkpoint
			opt.OpenFile = (&faultio.Disk{Name: OptimizerFile, Nth: 2, After: 100}).OpenFile
		case 4: // resumes the folder of an earlier run
			opt.Resume, opt.Steps = true, 8+i
		}
		tr, err := New(fd, cfg, d, opt)
		if err != nil {
			return err
		}
		defer tr.Close()
		if i%5 == 1 || i%5 == 2 {
			fd.target = tr.Weights().Grad[0]
		}
		_, err = tr.Run()
		var de *DivergedError
		switch {
		case i%5 == 1 && !errors.As(err, &de), i%5 == 3 && err == nil:
			return fmt.Errorf("run %d: want a failure, got %v", i, err)
		case i%5 == 1 || i%5 == 3:
			return nil
		}
		return err
	}
	if err := one(0); err != nil { // the first run starts what the runtime keeps
		t.Fatal(err)
	}
	runtime.GC()
	g0, f0 := runtime.NumGoroutine(), openFDs(t)
	b0, n0 := dev.liveBytes()
	for i := 1; i <= runs; i++ {
		if err := one(i); err != nil {
			t.Fatal(err)
		}
		if b, n := dev.liveBytes(); b != b0 || n != n0 {
			t.Fatalf("after run %d the device holds %d bytes in %d allocations, %d bytes in %d before", i, b, n, b0, n0)
		}
	}
	g1, f1 := runtime.NumGoroutine(), openFDs(t)
	for deadline := time.Now().Add(2 * time.Second); g1 > g0+2 && time.Now().Before(deadline); g1 = runtime.NumGoroutine() {
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("%d runs: goroutines %d -> %d, open files %d -> %d, device memory %d bytes in %d allocations before and after",
		runs, g0, g1, f0, f1, b0, n0)
	if g1 > g0+2 {
		t.Errorf("goroutines: %d before, %d after %d runs", g0, g1, runs)
	}
	if f1 > f0 {
		t.Errorf("open files: %d before, %d after %d runs", f0, f1, runs)
	}
	if b0 != 0 || dev.stray != 0 {
		t.Errorf("device: %d bytes live between runs, %d frees of unknown buffers", b0, dev.stray)
	}
}
