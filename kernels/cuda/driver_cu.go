//go:build plateau_cuda && !plateau_cudaemu

package cuda

/*
#cgo LDFLAGS: -lcuda
#include <cuda.h>

static CUresult plateau_host_alloc(void** p, size_t bytes) { return cuMemHostAlloc(p, bytes, 0); }
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"gorgonia.org/cu"
)

// cuDriver is a real GPU: its primary context, one non-blocking stream,
// the PTX modules with their kernel handles, and a cuBLAS handle bound to
// the stream.
//
// CUDA binds a context to an OS thread, so every method locks its goroutine
// to the thread and makes the context current for the length of the call.
type cuDriver struct {
	ordinal int
	dev     cu.Device
	ctx     cu.CUContext
	stream  cu.Stream
	mods    []cu.Module
	fn      [numKernels]cu.Function
	blas    *blasHandle
	prec    Precision
}

// openDriver opens GPU ordinal with GEMMs in precision p: it retains the
// primary context, creates the stream and the cuBLAS handle, and loads the
// embedded PTX (the driver compiles it for the GPU on first use and caches
// the result).
func openDriver(ordinal int, p Precision) (driver, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	n, err := cu.NumDevices()
	if err != nil {
		return nil, fmt.Errorf("count devices: %w", err)
	}
	if ordinal < 0 || ordinal >= n {
		return nil, fmt.Errorf("device %d requested, %d present", ordinal, n)
	}
	d := &cuDriver{ordinal: ordinal, prec: p}
	if err := d.open(); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

func (d *cuDriver) open() error {
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
	if err = d.load(); err != nil {
		return err
	}
	d.blas, err = newBlas(d.stream, d.prec)
	return err
}

// load loads every PTX module and looks up every kernel once.
func (d *cuDriver) load() error {
	return loadKernels(func(_, ptx string) (cu.Module, error) {
		mod, err := cu.LoadData(ptx)
		if err == nil {
			d.mods = append(d.mods, mod)
		}
		return mod, err
	}, cu.Module.Function, &d.fn)
}

// enter locks the goroutine to its thread and makes the context current;
// every method that calls CUDA starts with it and defers leave.
func (d *cuDriver) enter() error {
	runtime.LockOSThread()
	if err := cu.SetCurrentContext(d.ctx); err != nil {
		return fmt.Errorf("set context: %w", err)
	}
	return nil
}

func (d *cuDriver) leave() { runtime.UnlockOSThread() }

func (d *cuDriver) describe() string {
	name, err := d.dev.Name()
	if err != nil {
		name = fmt.Sprintf("GPU %d", d.ordinal)
	}
	major, _ := d.dev.Attribute(cu.ComputeCapabilityMajor)
	minor, _ := d.dev.Attribute(cu.ComputeCapabilityMinor)
	total, _ := d.dev.TotalMem()
	return fmt.Sprintf("cuda (%s, sm_%d%d, %d SMs, %s, GEMM %s)", name, major, minor, d.multiprocessors(), human(total), d.prec)
}

func (d *cuDriver) multiprocessors() int {
	n, err := d.dev.Attribute(cu.MultiprocessorCount)
	if err != nil || n < 1 {
		return 1
	}
	return n
}

func (d *cuDriver) memInfo() (free, total int64, err error) {
	if err := d.enter(); err != nil {
		return 0, 0, err
	}
	defer d.leave()
	return cu.MemInfo()
}

func (d *cuDriver) memAlloc(bytes int64) (devicePtr, error) {
	if err := d.enter(); err != nil {
		return 0, err
	}
	defer d.leave()
	p, err := cu.MemAlloc(bytes)
	return devicePtr(p), err
}

func (d *cuDriver) memFree(p devicePtr) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	return cu.MemFree(cu.DevicePtr(p))
}

func (d *cuDriver) hostAlloc(bytes int) ([]byte, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer d.leave()
	var p unsafe.Pointer
	if s := C.plateau_host_alloc(&p, C.size_t(bytes)); s != C.CUDA_SUCCESS {
		return nil, fmt.Errorf("cuMemHostAlloc %d bytes: CUresult %d", bytes, int(s))
	}
	return unsafe.Slice((*byte)(p), bytes), nil
}

func (d *cuDriver) hostFree(b []byte) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	return cu.MemFreeHost(unsafe.Pointer(unsafe.SliceData(b)))
}

// cuEvent is a CUDA event of the driver's stream.
type cuEvent struct {
	d  *cuDriver
	ev cu.Event
}

func (d *cuDriver) newEvent() (event, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer d.leave()
	ev, err := cu.MakeEvent(cu.DisableTiming)
	if err != nil {
		return nil, err
	}
	return &cuEvent{d: d, ev: ev}, nil
}

func (e *cuEvent) record() error {
	if err := e.d.enter(); err != nil {
		return err
	}
	defer e.d.leave()
	return e.ev.Record(e.d.stream)
}

func (e *cuEvent) synchronize() error {
	if err := e.d.enter(); err != nil {
		return err
	}
	defer e.d.leave()
	return e.ev.Synchronize()
}

func (e *cuEvent) destroy() error {
	if err := e.d.enter(); err != nil {
		return err
	}
	defer e.d.leave()
	return cu.DestroyEvent(&e.ev)
}

func (d *cuDriver) memsetD32(p devicePtr, v uint32, n int64) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	return cu.MemsetD32Async(cu.DevicePtr(p), uint(v), n, d.stream)
}

func (d *cuDriver) copyHtoD(dst devicePtr, src unsafe.Pointer, bytes int64) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	return cu.MemcpyHtoDAsync(cu.DevicePtr(dst), src, bytes, d.stream)
}

func (d *cuDriver) copyDtoH(dst unsafe.Pointer, src devicePtr, bytes int64) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	return cu.MemcpyDtoHAsync(dst, cu.DevicePtr(src), bytes, d.stream)
}

func (d *cuDriver) copyDtoD(dst, src devicePtr, bytes int64) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	return cu.MemcpyDtoDAsync(cu.DevicePtr(dst), cu.DevicePtr(src), bytes, d.stream)
}

func (d *cuDriver) launch(k kernel, grid, block dim3, params []unsafe.Pointer) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	return d.fn[k].Launch(grid.x, grid.y, grid.z, block.x, block.y, block.z, 0, d.stream, params)
}

func (d *cuDriver) gemm(transA, transB bool, m, n, k int, alpha float32, a devicePtr, lda int, b devicePtr, ldb int,
	beta float32, c devicePtr, ldc int) error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	return d.blas.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func (d *cuDriver) synchronize() error {
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()
	return d.stream.Synchronize()
}

// close releases what open made, in reverse order (also after a failed
// open).
func (d *cuDriver) close() error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var errs []error
	if d.ctx != (cu.CUContext{}) {
		errs = append(errs, cu.SetCurrentContext(d.ctx))
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
