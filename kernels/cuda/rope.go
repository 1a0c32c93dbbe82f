//go:build plateau_cuda || plateau_cudaemu

package cuda

import "github.com/plateau-lab/plateau/kernels"

// RoPE rotates each head of x in Hugging Face rotate-half form, by the
// negative angles when inverse (rope.cu), one thread per rotated pair.
func (d *Device) RoPE(out, x, cos, sin kernels.Buf, rows, seq, heads, hd int, inverse bool) {
	inv := 0
	if inverse {
		inv = 1
	}
	n := rows * heads * (hd / 2)
	if seq <= 0 {
		return
	}
	d.kernel(kRoPE).bufN(out, rows*heads*hd).bufN(x, rows*heads*hd).bufN(cos, seq*(hd/2)).bufN(sin, seq*(hd/2)).i32(rows).i32(seq).i32(heads).i32(hd).i32(inv).
		run(d.linear(n), dim3{blockSize, 1, 1})
}
