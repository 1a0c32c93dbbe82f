//go:build plateau_cuda || plateau_cudaemu

package cuda

import "github.com/plateau-lab/plateau/kernels"

// rmsNormGroupRows is how many rows one block of the dw reduction sums; the
// groups are then added in order, so dw does not depend on the GPU.
const rmsNormGroupRows = 128

// RMSNormForward sets out = x*rstd*w and saves rstd (rmsnorm.cu), one warp
// per row.
func (d *Device) RMSNormForward(out, rstd, x, w kernels.Buf, rows, dim int, eps float32) {
	d.kernel(kRMSNormForward).bufN(out, rows*dim).bufN(rstd, rows).bufN(x, rows*dim).bufN(w, dim).i32(rows).i32(dim).f32(eps).
		run(dim3{ceilDiv(rows, blockSize/32), 1, 1}, dim3{blockSize, 1, 1})
}

// RMSNormBackward sets dx (one warp per row) and dw (a two-pass column
// reduction over fixed groups of rows, through scratch).
func (d *Device) RMSNormBackward(dx, dw, x, w, rstd, dout kernels.Buf, rows, dim int) {
	d.kernel(kRMSNormBackwardDx).bufN(dx, rows*dim).bufN(x, rows*dim).bufN(w, dim).bufN(rstd, rows).bufN(dout, rows*dim).i32(rows).i32(dim).
		run(dim3{ceilDiv(rows, blockSize/32), 1, 1}, dim3{blockSize, 1, 1})
	if dim <= 0 {
		return
	}
	if rows <= 0 {
		d.Zero(dw.Slice(0, min(dim, dw.N))) // no rows: dw is an empty sum
		return
	}
	per := max(rmsNormGroupRows, ceilDiv(rows, 65535)) // grid.y is at most 65535
	groups := ceilDiv(rows, per)
	d.badArg = false
	partial := d.scratchPtr(int64(groups*dim) * 4)
	if d.badArg {
		d.badArg = false
		return
	}
	d.kernel(kRMSNormBackwardDwPartial).dev(partial).buf(x).buf(rstd).buf(dout).i32(rows).i32(dim).i32(per).
		run(dim3{ceilDiv(dim, 32), groups, 1}, dim3{32, 8, 1})
	d.kernel(kRMSNormBackwardDwSum).bufN(dw, dim).dev(partial).i32(groups).i32(dim).
		run(dim3{ceilDiv(dim, blockSize), 1, 1}, dim3{blockSize, 1, 1})
}
