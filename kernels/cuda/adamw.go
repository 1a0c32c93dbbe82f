//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/kernels/cpu"
)

// AdamW updates p with the gradient scale[0]*g, PyTorch's AdamW in the CPU
// device's float32 order (adamw.cu), over a whole flat span in one launch.
func (d *Device) AdamW(p, g, m, v, scale kernels.Buf, lr, beta1, beta2, eps, wd float32, step int) {
	s := cpu.NewAdamWScalars(lr, beta1, beta2, wd, step)
	n := p.N
	d.kernel(kAdamW).buf(p).bufN(g, n).bufN(m, n).bufN(v, n).bufN(scale, 1).i64(n).
		f32(s.Decay).f32(s.W1).f32(s.W2).f32(beta2).f32(s.NegStep).f32(s.BC2Sqrt).f32(eps).
		run(d.linear4(n), dim3{blockSize, 1, 1})
}
