//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"fmt"

	"github.com/plateau-lab/plateau/kernels"
)

// Zero sets every element of b (float32 or int32) to 0.
func (d *Device) Zero(b kernels.Buf) {
	d.badArg = false
	p := d.ptr(b)
	if d.badArg || d.err != nil || b.N == 0 {
		d.badArg = false
		return
	}
	if err := d.drv.memsetD32(p, 0, int64(b.N)); err != nil {
		d.fail(fmt.Errorf("zero %d elements: %w", b.N, err))
	}
}

// Copy sets dst = src (min(dst.N, src.N) elements, as Go's copy).
func (d *Device) Copy(dst, src kernels.Buf) {
	n := min(dst.N, src.N)
	d.badArg = false
	pd, ps := d.ptr(dst), d.ptr(src)
	if d.badArg || d.err != nil || n == 0 {
		d.badArg = false
		return
	}
	if err := d.drv.copyDtoD(pd, ps, int64(n)*4); err != nil {
		d.fail(fmt.Errorf("copy %d elements: %w", n, err))
	}
}

// Add sets dst = a + b over dst's elements (dst may alias a or b).
func (d *Device) Add(dst, a, b kernels.Buf) {
	n := dst.N
	d.kernel(kAdd).buf(dst).bufN(a, n).bufN(b, n).i64(n).run(d.linear4(n), dim3{blockSize, 1, 1})
}

// Axpy sets dst += alpha*x over dst's elements.
func (d *Device) Axpy(dst kernels.Buf, alpha float32, x kernels.Buf) {
	n := dst.N
	d.kernel(kAxpy).buf(dst).f32(alpha).bufN(x, n).i64(n).run(d.linear4(n), dim3{blockSize, 1, 1})
}
