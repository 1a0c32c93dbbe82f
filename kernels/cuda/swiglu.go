//go:build plateau_cuda || plateau_cudaemu

package cuda

import "github.com/plateau-lab/plateau/kernels"

// SwiGLUForward sets out = silu(gate)*up (swiglu.cu).
func (d *Device) SwiGLUForward(out, gate, up kernels.Buf) {
	n := out.N
	d.kernel(kSwiGLUForward).buf(out).bufN(gate, n).bufN(up, n).i64(n).run(d.linear4(n), dim3{blockSize, 1, 1})
}

// SwiGLUBackward sets dgate and dup from dout (swiglu.cu).
func (d *Device) SwiGLUBackward(dgate, dup, gate, up, dout kernels.Buf) {
	n := dgate.N
	d.kernel(kSwiGLUBackward).buf(dgate).bufN(dup, n).bufN(gate, n).bufN(up, n).bufN(dout, n).i64(n).
		run(d.linear4(n), dim3{blockSize, 1, 1})
}
