//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"fmt"

	"github.com/plateau-lab/plateau/kernels"
)

// Gemm sets C = alpha*op(A)*op(B) + beta*C (row-major; op(A) m x k, op(B)
// k x n) through cuBLAS in the device's precision. In bf16 both operands are
// first rounded to bfloat16 into scratch (the weights stay float32), then
// multiplied with float32 accumulation into the float32 C.
func (d *Device) Gemm(transA, transB bool, m, n, k int, alpha float32, a, b kernels.Buf, beta float32, c kernels.Buf) {
	if m <= 0 || n <= 0 || k <= 0 {
		if m > 0 && n > 0 && k == 0 {
			d.scaleC(c, m*n, beta)
		}
		return
	}
	if a.N < m*k || b.N < k*n || c.N < m*n {
		d.fail(fmt.Errorf("gemm %dx%dx%d: buffers of %d, %d and %d elements are too small", m, n, k, a.N, b.N, c.N))
		return
	}
	d.badArg = false
	pa, pb, pc := d.ptr(a), d.ptr(b), d.ptr(c)
	if d.badArg || d.err != nil {
		d.badArg = false
		return
	}
	if d.prec == BF16 {
		off := int64(ceilDiv(m*k*2, 256) * 256)
		s := d.scratchPtr(off + int64(k*n*2))
		if d.badArg {
			d.badArg = false
			return
		}
		d.toBF16(s, pa, m*k)
		d.toBF16(s+devicePtr(off), pb, k*n)
		pa, pb = s, s+devicePtr(off)
	}
	// A row-major matrix is its transpose in column-major order, so the
	// row-major C = op(A) op(B) is the column-major C^T = op(B)^T op(A)^T:
	// cuBLAS gets B first, with the leading dimensions of the stored
	// row-major operands.
	lda, ldb := k, n // stored A is m x k (k x m when transposed), B k x n (n x k)
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	if err := d.drv.gemm(transB, transA, n, m, k, alpha, pb, ldb, pa, lda, beta, pc, n); err != nil {
		d.fail(err)
	}
}

// toBF16 queues the rounding of n float32 values at src to bfloat16 at dst.
func (d *Device) toBF16(dst, src devicePtr, n int) {
	d.kernel(kToBF16).dev(dst).dev(src).i64(n).run(d.linear4(n), dim3{blockSize, 1, 1})
}

// scaleC handles the empty product (k = 0): C = beta*C.
func (d *Device) scaleC(c kernels.Buf, n int, beta float32) {
	if beta == 1 {
		return
	}
	c = c.Slice(0, min(n, c.N))
	if beta == 0 {
		d.Zero(c)
		return
	}
	d.kernel(kAxpy).buf(c).f32(beta-1).buf(c).i64(c.N).run(d.linear4(c.N), dim3{blockSize, 1, 1})
}
