//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"fmt"
	"unsafe"

	"github.com/plateau-lab/plateau/kernels"
)

// Alloc returns a zeroed buffer of n elements (float32 or int32, 4 bytes
// each). When the GPU is out of memory the error names the bytes requested
// and the free and total device memory.
func (d *Device) Alloc(n int, dt kernels.DType) (kernels.Buf, error) {
	if n < 0 {
		return kernels.Buf{}, fmt.Errorf("cuda alloc: negative size %d", n)
	}
	if dt != kernels.F32 && dt != kernels.I32 {
		return kernels.Buf{}, fmt.Errorf("cuda alloc: unknown dtype %v", dt)
	}
	bytes := int64(max(n, 1)) * 4 // cuMemAlloc refuses 0 bytes
	ptr, err := d.memAlloc(bytes, fmt.Sprintf("%d %s elements", n, dt))
	if err != nil {
		return kernels.Buf{}, err
	}
	if err := d.drv.memsetD32(ptr, 0, int64(max(n, 1))); err != nil {
		d.drv.memFree(ptr)
		return kernels.Buf{}, fmt.Errorf("cuda alloc: zero %d elements: %w", n, err)
	}
	d.next++
	d.mem[d.next] = allocation{ptr: ptr, bytes: bytes, elems: n}
	d.used += bytes
	d.peak = max(d.peak, d.used)
	return kernels.NewBuf(d.next, 0, n, dt), nil
}

// memAlloc allocates device memory and turns a failure into an error that
// says what was asked for (what) and how much memory the GPU has.
func (d *Device) memAlloc(bytes int64, what string) (devicePtr, error) {
	ptr, err := d.drv.memAlloc(bytes)
	if err == nil {
		return ptr, nil
	}
	free, total, merr := d.drv.memInfo()
	if merr != nil {
		return 0, fmt.Errorf("cuda alloc %s (%s): %w", what, human(bytes), err)
	}
	return 0, fmt.Errorf("cuda alloc %s (%s): %w: %s free of %s on the GPU, %s held by this device",
		what, human(bytes), err, human(free), human(total), human(d.used+d.scratch.bytes))
}

// Free releases the allocation b belongs to, after the work queued so far
// (which may still read it) has finished.
func (d *Device) Free(b kernels.Buf) {
	a, ok := d.mem[b.Mem()]
	if !ok {
		return
	}
	if err := d.drv.synchronize(); err != nil {
		d.fail(fmt.Errorf("synchronize before free: %w", err))
	}
	if err := d.drv.memFree(a.ptr); err != nil {
		d.fail(fmt.Errorf("free: %w", err))
	}
	delete(d.mem, b.Mem())
	d.used -= a.bytes
}

// PeakBytes is the most device memory the device's own allocations
// (buffers and kernel scratch) have held at once since it was opened or
// since ResetPeak; cuBLAS workspaces and the CUDA context are not counted.
func (d *Device) PeakBytes() int64 { return d.peak }

// ResetPeak restarts PeakBytes from the memory held now.
func (d *Device) ResetPeak() { d.peak = d.used + d.scratch.bytes }

// ptr returns the device address of b's first element. An invalid b (not
// an allocation of this device, or reaching past its end) marks the call
// being prepared as bad, so launch skips it, and is reported at Sync.
func (d *Device) ptr(b kernels.Buf) devicePtr {
	p, err := d.lookup(b)
	if err != nil {
		d.badArg = true
		d.fail(err)
	}
	return p
}

// lookup returns the device address of b's first element, or an error if b
// is not inside an allocation of this device.
func (d *Device) lookup(b kernels.Buf) (devicePtr, error) {
	a, ok := d.mem[b.Mem()]
	if !ok || b.Off < 0 || b.N < 0 || b.Off+b.N > a.elems {
		return 0, fmt.Errorf("buffer (allocation %d, offset %d, %d elements) is not inside an allocation of this device",
			b.Mem(), b.Off, b.N)
	}
	return a.ptr + devicePtr(b.Off*4), nil
}

// check validates a host transfer: the buffer's type and length.
func check(op string, b kernels.Buf, dt kernels.DType, n int) error {
	if b.DT != dt || b.N != n {
		return fmt.Errorf("cuda %s: %d %s values for a %s buffer of %d", op, n, dt, b.DT, b.N)
	}
	return nil
}

// Upload copies src into dst through the pinned staging buffers (queued on
// the stream; src may be reused when Upload returns).
func (d *Device) Upload(dst kernels.Buf, src []float32) error {
	return uploadSlice(d, dst, src, kernels.F32)
}

// UploadInt32 copies src into dst.
func (d *Device) UploadInt32(dst kernels.Buf, src []int32) error {
	return uploadSlice(d, dst, src, kernels.I32)
}

// uploadSlice checks src against dst, of element type dt, and queues the copy.
func uploadSlice[T float32 | int32](d *Device, dst kernels.Buf, src []T, dt kernels.DType) error {
	if err := check("upload", dst, dt, len(src)); err != nil {
		return err
	}
	if len(src) == 0 {
		return nil
	}
	p, err := d.lookup(dst)
	if err != nil {
		return fmt.Errorf("cuda upload: %w", err)
	}
	if err := d.staging.upload(p, unsafe.Slice((*byte)(unsafe.Pointer(&src[0])), 4*len(src))); err != nil {
		return fmt.Errorf("cuda upload %d elements: %w", dst.N, err)
	}
	return nil
}

// Download waits for the work queued before it and copies src into dst.
// An error of earlier work is returned here as well as at the next Sync.
func (d *Device) Download(dst []float32, src kernels.Buf) error {
	if err := check("download", src, kernels.F32, len(dst)); err != nil {
		return err
	}
	if len(dst) == 0 {
		return nil
	}
	p, err := d.lookup(src)
	if err != nil {
		return fmt.Errorf("cuda download: %w", err)
	}
	if err := d.drv.copyDtoH(unsafe.Pointer(&dst[0]), p, int64(src.N)*4); err != nil {
		return fmt.Errorf("cuda download %d elements: %w", src.N, err)
	}
	if err := d.drv.synchronize(); err != nil {
		d.fail(fmt.Errorf("download: %w", err))
	}
	return d.err
}

// scratchPtr returns device scratch of at least bytes for the kernel being
// queued. It grows (waiting for the stream, since queued kernels may still
// use the old scratch) only when a larger size is first needed, which
// happens in the first step of a program; later steps reuse it. On failure
// the call being prepared is marked bad.
func (d *Device) scratchPtr(bytes int64) devicePtr {
	if bytes <= d.scratch.bytes {
		return d.scratch.ptr
	}
	size := max(bytes, 2*d.scratch.bytes, 1<<20)
	if d.scratch.ptr != 0 {
		if err := d.drv.synchronize(); err != nil {
			d.fail(fmt.Errorf("synchronize before growing scratch: %w", err))
		}
		if err := d.drv.memFree(d.scratch.ptr); err != nil {
			d.fail(fmt.Errorf("free scratch: %w", err))
		}
		d.scratch = allocation{}
	}
	ptr, err := d.memAlloc(size, "kernel scratch")
	if err != nil {
		d.badArg = true
		d.fail(err)
		return 0
	}
	d.scratch = allocation{ptr: ptr, bytes: size}
	d.peak = max(d.peak, d.used+size)
	return ptr
}
