//go:build plateau_cuda || plateau_cudaemu

package cuda

import "github.com/plateau-lab/plateau/kernels"

// sumChunk is how many elements one block of sum_squares_partial reduces
// (as the CPU device's blocks); the partial sums are added in block order.
const sumChunk = 1 << 14

// SumSquares adds the sum of squares of x to out[0], in double, in a fixed
// order (reduce.cu).
func (d *Device) SumSquares(out, x kernels.Buf) {
	n := x.N
	parts := ceilDiv(n, sumChunk)
	if parts == 0 {
		return
	}
	d.badArg = false
	s := d.scratchPtr(int64(parts) * 8)
	if d.badArg {
		d.badArg = false
		return
	}
	d.kernel(kSumSquaresPartial).dev(s).buf(x).i64(n).i64(sumChunk).
		run(dim3{parts, 1, 1}, dim3{blockSize, 1, 1})
	d.kernel(kSumSquaresFinish).bufN(out, 1).dev(s).i32(parts).
		run(dim3{1, 1, 1}, reduceBlock(parts, reduceThreads))
}

// ClipScale sets scale[0] = gradScale*min(1, maxNorm/(gradScale*sqrt(sumsq[0])+1e-6))
// (reduce.cu; maxNorm <= 0 disables clipping).
func (d *Device) ClipScale(scale, sumsq kernels.Buf, gradScale, maxNorm float32) {
	d.kernel(kClipScale).bufN(scale, 1).bufN(sumsq, 1).f32(gradScale).f32(maxNorm).
		run(dim3{1, 1, 1}, dim3{32, 1, 1})
}
