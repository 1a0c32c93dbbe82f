//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/plateau-lab/plateau/kernels"
)

// launchArgs holds the parameters of the kernel being queued. Each value
// sits in its own 8-byte slot (cu's Launch copies 8 bytes per parameter; the
// driver, and the emulated one, read the parameter's own size from the
// start of the slot), so a launch allocates nothing.
type launchArgs struct {
	vals [16]uint64
	ptrs [16]unsafe.Pointer
	n    int
	over bool // more parameters than slots were given
}

func (a *launchArgs) put(v uint64) {
	if a.n == len(a.vals) {
		a.over = true
		return
	}
	a.vals[a.n] = v
	a.ptrs[a.n] = unsafe.Pointer(&a.vals[a.n])
	a.n++
}

// dim3 is a CUDA grid or block shape.
type dim3 struct{ x, y, z int }

// launcher queues one kernel: d.kernel(k).buf(out).i32(n)...run(grid, block)
// adds the parameters in the kernel's order and launches it on the stream.
// It is a value, so preparing a launch allocates nothing.
type launcher struct {
	d *Device
	k kernel
}

// kernel starts a launch of k.
func (d *Device) kernel(k kernel) launcher {
	d.args.n, d.args.over = 0, false
	d.badArg = false
	return launcher{d: d, k: k}
}

// buf adds the device address of b's first element.
func (l launcher) buf(b kernels.Buf) launcher {
	l.d.args.put(uint64(l.d.ptr(b)))
	return l
}

// bufN adds b, which the kernel reads or writes n elements of: a shorter b
// marks the launch bad (reported at Sync) instead of letting the kernel
// reach past it, which on a GPU reads other tensors or faults and poisons
// the context.
func (l launcher) bufN(b kernels.Buf, n int) launcher {
	if b.N < n && !l.d.badArg {
		l.d.badArg = true
		l.d.fail(fmt.Errorf("%s: parameter %d: buffer of %d elements, the call needs %d", kernelSpecs[l.k].entry, l.d.args.n, b.N, n))
	}
	return l.buf(b)
}

// dev adds a device address.
func (l launcher) dev(p devicePtr) launcher {
	l.d.args.put(uint64(p))
	return l
}

// i32 adds a C int.
func (l launcher) i32(v int) launcher {
	if v < math.MinInt32 || v > math.MaxInt32 {
		l.d.badArg = true
		l.d.fail(fmt.Errorf("%s: parameter %d does not fit a C int", kernelSpecs[l.k].entry, v))
	}
	l.d.args.put(uint64(uint32(int32(v))))
	return l
}

// i64 adds a C long long.
func (l launcher) i64(v int) launcher {
	l.d.args.put(uint64(int64(v)))
	return l
}

// f32 adds a C float.
func (l launcher) f32(v float32) launcher {
	l.d.args.put(uint64(math.Float32bits(v)))
	return l
}

// run queues the kernel over grid blocks of block threads. Nothing is queued
// when a parameter was invalid, when the grid is empty, or after an error
// (the stream's results are meaningless until the next Sync reports it).
func (l launcher) run(grid, block dim3) {
	d := l.d
	if d.args.over {
		d.fail(fmt.Errorf("launch %s: more than %d parameters", kernelSpecs[l.k].entry, len(d.args.vals)))
	}
	if d.badArg || d.err != nil || grid.x <= 0 || grid.y <= 0 || grid.z <= 0 {
		d.badArg = false
		return
	}
	if err := d.drv.launch(l.k, grid, block, d.args.ptrs[:d.args.n]); err != nil {
		d.fail(fmt.Errorf("launch %s (grid %v, block %v): %w", kernelSpecs[l.k].entry, grid, block, err))
	}
}

// blockSize is the block of the one-dimensional kernels.
const blockSize = 256

// linear returns the grid of a grid-stride kernel over n elements: one
// thread per element, at most 32 blocks per multiprocessor.
func (d *Device) linear(n int) dim3 {
	return dim3{min(ceilDiv(n, blockSize), 32*d.sms), 1, 1}
}

// linear4 is the grid of a grid-stride kernel that moves float4s over n
// elements (elementwise.cu, swiglu.cu, adamw.cu): one thread per four.
func (d *Device) linear4(n int) dim3 { return d.linear(ceilDiv(n, 4)) }

// reduceBlock is the block of a block-wide reduction over n items: n
// rounded up to whole warps, between one warp and most threads, so that a
// small reduction does not run idle warps through its barriers.
func reduceBlock(n, most int) dim3 {
	return dim3{min(most, max(32, ceilDiv(n, 32)*32)), 1, 1}
}

// ceilDiv is a/b rounded up, for positive b.
func ceilDiv(a, b int) int { return (a + b - 1) / b }
