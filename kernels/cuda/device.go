//go:build plateau_cuda

package cuda

import (
	"errors"
	"fmt"
	"runtime"

	"gorgonia.org/cu"

	"github.com/plateau-lab/plateau/kernels"
)

// Device is one NVIDIA GPU as a kernels.Device: the device's primary CUDA
// context, one stream on which every kernel, copy and GEMM is queued in
// order, the PTX modules loaded once with their kernel handles, a cuBLAS
// handle bound to the stream, and a table of allocations that the
// kernels.Buf handles index.
//
// Work is asynchronous: kernel methods queue work and return; errors are
// kept and returned by the next Sync (the first one since the last Sync).
// Download waits for the stream, since it fills host memory. A Device is
// not safe for concurrent use (neither is the executor that drives it).
//
// CUDA binds a context to an OS thread, so every method locks its goroutine
// to the thread and makes the context current for the length of the call.
type Device struct {
	ordinal int
	dev     cu.Device
	ctx     cu.CUContext
	stream  cu.Stream
	mods    []cu.Module
	fn      [numKernels]cu.Function
	blas    *blasHandle
	prec    Precision
	name    string
	sms     int

	mem        map[int]allocation
	next       int
	used, peak int64
	scratch    allocation // kernel scratch (reductions, bf16 operands), grown on demand

	err    error // first error since the last Sync
	badArg bool  // a buffer of the call being prepared is invalid
	args   launchArgs
}

// allocation is one cuMemAlloc.
type allocation struct {
	ptr   cu.DevicePtr
	bytes int64
	elems int // float32 or int32 elements
}

var _ kernels.Device = (*Device)(nil)

// New opens GPU ordinal (0 is the first) with GEMMs in precision p: it
// retains the primary context, creates the stream and the cuBLAS handle, and
// loads the embedded PTX (the driver compiles it for the GPU on first use and
// caches the result).
func New(ordinal int, p Precision) (*Device, error) {
	if p < TF32 || p > BF16 {
		return nil, fmt.Errorf("cuda: unknown precision %v", p)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	n, err := cu.NumDevices()
	if err != nil {
		return nil, fmt.Errorf("cuda: count devices: %w", err)
	}
	if ordinal < 0 || ordinal >= n {
		return nil, fmt.Errorf("cuda: device %d requested, %d present", ordinal, n)
	}
	d := &Device{ordinal: ordinal, prec: p, mem: map[int]allocation{}}
	if err := d.open(); err != nil {
		d.release()
		return nil, fmt.Errorf("cuda device %d: %w", ordinal, err)
	}
	return d, nil
}

// open does the work of New on the locked thread.
func (d *Device) open() error {
	var err error
	if d.dev, err = cu.GetDevice(d.ordinal); err != nil {
		return fmt.Errorf("get device: %w", err)
	}
	if d.ctx, err = d.dev.RetainPrimaryCtx(); err != nil {
		return fmt.Errorf("retain primary context: %w", err)
	}
	if err = cu.SetCurrentContext(d.ctx); err != nil {
		return fmt.Errorf("set context: %w", err)
	}
	if d.stream, err = cu.MakeStream(cu.NonBlocking); err != nil {
		return fmt.Errorf("create stream: %w", err)
	}
	if d.sms, err = d.dev.Attribute(cu.MultiprocessorCount); err != nil {
		return fmt.Errorf("query multiprocessors: %w", err)
	}
	if err = d.load(); err != nil {
		return err
	}
	if d.blas, err = newBlas(d.stream, d.prec); err != nil {
		return err
	}
	d.name = d.describe()
	return nil
}

// load loads every PTX module and looks up every kernel once.
func (d *Device) load() error {
	byModule := map[string]cu.Module{}
	for _, m := range modules() {
		src, err := ptxModule(m)
		if err != nil {
			return err
		}
		mod, err := cu.LoadData(src)
		if err != nil {
			return fmt.Errorf("load PTX module %s: %w", m, err)
		}
		d.mods = append(d.mods, mod)
		byModule[m] = mod
	}
	for k, s := range kernelSpecs {
		f, err := byModule[s.module].Function(s.entry)
		if err != nil {
			return fmt.Errorf("kernel %s in module %s: %w", s.entry, s.module, err)
		}
		d.fn[k] = f
	}
	return nil
}

// describe names the GPU for logs.
func (d *Device) describe() string {
	name, err := d.dev.Name()
	if err != nil {
		name = fmt.Sprintf("GPU %d", d.ordinal)
	}
	major, _ := d.dev.Attribute(cu.ComputeCapabilityMajor)
	minor, _ := d.dev.Attribute(cu.ComputeCapabilityMinor)
	total, _ := d.dev.TotalMem()
	return fmt.Sprintf("cuda (%s, sm_%d%d, %d SMs, %s, GEMM %s)", name, major, minor, d.sms, human(total), d.prec)
}

// Name says what the device is.
func (d *Device) Name() string { return d.name }

// Precision returns the GEMM precision the device was opened with.
func (d *Device) Precision() Precision { return d.prec }

// enter locks the goroutine to its thread and makes the context current;
// every method that calls CUDA starts with it and defers leave.
func (d *Device) enter() {
	runtime.LockOSThread()
	if err := cu.SetCurrentContext(d.ctx); err != nil {
		d.fail(fmt.Errorf("set context: %w", err))
	}
}

// leave undoes enter.
func (d *Device) leave() { runtime.UnlockOSThread() }

// fail keeps err if it is the first since the last Sync.
func (d *Device) fail(err error) {
	if d.err == nil {
		d.err = fmt.Errorf("cuda: %w", err)
	}
}

// Sync waits for the stream and returns the first error since the last Sync.
func (d *Device) Sync() error {
	d.enter()
	defer d.leave()
	if err := d.stream.Synchronize(); err != nil {
		d.fail(fmt.Errorf("synchronize: %w", err))
	}
	err := d.err
	d.err = nil
	return err
}

// Close waits for the stream and releases every allocation, the modules, the
// cuBLAS handle, the stream and the context. The device is unusable after.
func (d *Device) Close() error {
	d.enter()
	defer d.leave()
	var errs []error
	if d.stream != (cu.Stream{}) {
		if err := d.stream.Synchronize(); err != nil {
			errs = append(errs, fmt.Errorf("synchronize: %w", err))
		}
	}
	if d.err != nil {
		errs = append(errs, d.err)
		d.err = nil
	}
	for id, a := range d.mem {
		if err := cu.MemFree(a.ptr); err != nil {
			errs = append(errs, fmt.Errorf("free: %w", err))
		}
		delete(d.mem, id)
	}
	d.used = 0
	errs = append(errs, d.release())
	return errors.Join(errs...)
}

// release frees what open made, in reverse order; it runs with the context
// current.
func (d *Device) release() error {
	var errs []error
	if d.scratch.ptr != 0 {
		if err := cu.MemFree(d.scratch.ptr); err != nil {
			errs = append(errs, fmt.Errorf("free scratch: %w", err))
		}
		d.scratch = allocation{}
	}
	if d.blas != nil {
		errs = append(errs, d.blas.destroy())
		d.blas = nil
	}
	for _, m := range d.mods {
		if err := m.Unload(); err != nil {
			errs = append(errs, fmt.Errorf("unload module: %w", err))
		}
	}
	d.mods = nil
	if d.stream != (cu.Stream{}) {
		if err := d.stream.Destroy(); err != nil {
			errs = append(errs, fmt.Errorf("destroy stream: %w", err))
		}
		d.stream = cu.Stream{}
	}
	if d.ctx != (cu.CUContext{}) {
		if err := d.dev.ReleasePrimaryCtx(); err != nil {
			errs = append(errs, fmt.Errorf("release context: %w", err))
		}
		d.ctx = cu.CUContext{}
	}
	return errors.Join(errs...)
}

// human formats a byte count.
func human(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}
