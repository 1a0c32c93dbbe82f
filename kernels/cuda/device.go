//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"errors"
	"fmt"

	"github.com/plateau-lab/plateau/kernels"
)

// Device is one NVIDIA GPU as a kernels.Device: a driver (the GPU, or the
// emulated GPU; driver.go) with one stream on which every kernel, copy and
// GEMM is queued in order, a table of allocations that the kernels.Buf
// handles index, kernel scratch, and the pinned buffers uploads are staged
// through.
//
// Work is asynchronous: kernel methods queue work and return; errors are
// kept and returned by the next Sync (the first one since the last Sync).
// Download waits for the stream, since it fills host memory. A Device is
// not safe for concurrent use (neither is the executor that drives it).
type Device struct {
	drv  driver
	prec Precision
	name string
	sms  int

	mem        map[int]allocation
	next       int
	used, peak int64
	scratch    allocation // kernel scratch (reductions, bf16 operands), grown on demand
	staging    stager     // pinned host buffers for uploads

	err    error // first error since the last Sync
	badArg bool  // a buffer of the call being prepared is invalid
	args   launchArgs
}

// allocation is one device allocation.
type allocation struct {
	ptr   devicePtr
	bytes int64
	elems int // float32 or int32 elements
}

var _ kernels.Device = (*Device)(nil)

// New opens GPU ordinal (0 is the first) with GEMMs in precision p.
func New(ordinal int, p Precision) (*Device, error) {
	if p < TF32 || p > BF16 {
		return nil, fmt.Errorf("cuda: unknown precision %v", p)
	}
	drv, err := openDriver(ordinal, p)
	if err != nil {
		return nil, fmt.Errorf("cuda device %d: %w", ordinal, err)
	}
	d := &Device{drv: drv, prec: p, mem: map[int]allocation{}, sms: drv.multiprocessors(), name: drv.describe()}
	d.staging.d = d
	return d, nil
}

// Name says what the device is.
func (d *Device) Name() string { return d.name }

// Precision returns the GEMM precision the device was opened with.
func (d *Device) Precision() Precision { return d.prec }

// fail keeps err if it is the first since the last Sync.
func (d *Device) fail(err error) {
	if d.err == nil {
		d.err = fmt.Errorf("cuda: %w", err)
	}
}

// Sync waits for the stream and returns the first error since the last Sync.
func (d *Device) Sync() error {
	if err := d.drv.synchronize(); err != nil {
		d.fail(fmt.Errorf("synchronize: %w", err))
	}
	err := d.err
	d.err = nil
	return err
}

// Close waits for the stream and releases every allocation, the staging
// buffers, the scratch and the driver. The device is unusable after.
func (d *Device) Close() error {
	var errs []error
	if err := d.drv.synchronize(); err != nil {
		errs = append(errs, fmt.Errorf("synchronize: %w", err))
	}
	if d.err != nil {
		errs = append(errs, d.err)
		d.err = nil
	}
	for id, a := range d.mem {
		if err := d.drv.memFree(a.ptr); err != nil {
			errs = append(errs, fmt.Errorf("free: %w", err))
		}
		delete(d.mem, id)
	}
	d.used = 0
	if d.scratch.ptr != 0 {
		if err := d.drv.memFree(d.scratch.ptr); err != nil {
			errs = append(errs, fmt.Errorf("free scratch: %w", err))
		}
		d.scratch = allocation{}
	}
	errs = append(errs, d.staging.free(), d.drv.close())
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
