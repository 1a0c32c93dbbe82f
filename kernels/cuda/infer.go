//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"fmt"

	"github.com/plateau-lab/plateau/kernels"
)

// attnCachedMaxHD and attnCachedThreads mirror AC_MAXHD and AC_WARPS*32 in
// attention_cached.cu.
const (
	attnCachedMaxHD   = 128
	attnCachedThreads = 128
)

// RoPEAt rotates row r of x at position pos[r] (rope.cu); the tables' row
// count is maxSeq, and a row at a position outside them is left unwritten.
func (d *Device) RoPEAt(out, x, cos, sin, pos kernels.Buf, rows, heads, hd int) {
	half := hd / 2
	if half <= 0 {
		return
	}
	maxSeq := cos.N / half
	n := rows * heads * half
	d.kernel(kRoPEAt).bufN(out, rows*heads*hd).bufN(x, rows*heads*hd).buf(cos).bufN(sin, cos.N).bufN(pos, rows).i32(rows).i32(maxSeq).i32(heads).i32(hd).
		run(d.linear(n), dim3{blockSize, 1, 1})
}

// CacheWrite stores row r = b*n+i of x into cache row b*maxSeq+pos[r]
// (attention_cached.cu).
func (d *Device) CacheWrite(cache, x, pos kernels.Buf, batch, n, maxSeq, width int) {
	if n <= 0 || width <= 0 {
		return
	}
	rows := batch * n
	d.kernel(kCacheWrite).bufN(cache, batch*maxSeq*width).bufN(x, rows*width).bufN(pos, rows).i32(rows).i32(n).i32(maxSeq).i32(width).
		run(d.linear(rows*width), dim3{blockSize, 1, 1})
}

// AttentionCached attends the new query rows to the cache
// (attention_cached.cu), one block per (row, head).
func (d *Device) AttentionCached(out, q, kCache, vCache, pos kernels.Buf, batch, n, maxSeq, heads, kvHeads, hd int) {
	if batch <= 0 || n <= 0 || maxSeq <= 0 || heads <= 0 || kvHeads <= 0 || hd <= 0 {
		return
	}
	if heads%kvHeads != 0 || hd > attnCachedMaxHD || heads > 65535 {
		d.fail(fmt.Errorf("cached attention: heads %d, kv heads %d, head dim %d not supported (head dim at most %d)",
			heads, kvHeads, hd, attnCachedMaxHD))
		return
	}
	nq, nc := batch*n*heads*hd, batch*maxSeq*kvHeads*hd
	d.kernel(kAttentionCached).bufN(out, nq).bufN(q, nq).bufN(kCache, nc).bufN(vCache, nc).bufN(pos, batch*n).i32(n).i32(maxSeq).i32(heads).
		i32(kvHeads).i32(hd).f32(attnScale(hd)).run(dim3{batch * n, heads, 1}, dim3{attnCachedThreads, 1, 1})
}
