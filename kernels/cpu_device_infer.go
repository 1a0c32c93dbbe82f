package kernels

import "github.com/plateau-lab/plateau/kernels/cpu"

// RoPEAt rotates each row of x at its own position.
func (d *CPU) RoPEAt(out, x, cos, sin, pos Buf, rows, heads, hd int) {
	cpu.RoPEAt(d.pool, d.f(out), d.f(x), d.f(cos), d.f(sin), d.i(pos)[:rows], heads, hd)
}

// CacheWrite stores rows of x into the cache at their positions.
func (d *CPU) CacheWrite(cache, x, pos Buf, batch, n, maxSeq, width int) {
	cpu.CacheWrite(d.f(cache), d.f(x), d.i(pos)[:batch*n], n, maxSeq, width)
}

// AttentionCached attends new query rows to the cache.
func (d *CPU) AttentionCached(out, q, kCache, vCache, pos Buf, batch, n, maxSeq, heads, kvHeads, hd int) {
	cpu.AttentionCached(d.pool, d.f(out), d.f(q), d.f(kCache), d.f(vCache), d.i(pos)[:batch*n],
		n, maxSeq, heads, kvHeads, hd)
}
