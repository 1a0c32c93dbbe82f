package cpu

import "math"

// CacheWrite stores new key or value rows into a KV cache. x is [batch*n,
// width] (n new rows per sequence) and cache is [batch, maxSeq, width]: row
// r = b*n+i of x is copied to cache row b*maxSeq+pos[r]. pos has batch*n
// entries. Precondition: 0 <= pos[r] < maxSeq.
func CacheWrite[T Float](cache, x []T, pos []int32, n, maxSeq, width int) {
	if n <= 0 || width <= 0 {
		return
	}
	for r, t := range pos {
		dst := (r/n*maxSeq + int(t)) * width
		copy(cache[dst:dst+width], x[r*width:(r+1)*width])
	}
}

// AttentionCached is causal attention of new query rows against a KV cache,
// with grouped-query attention. q and out are [batch*n, heads*hd]; kc and vc
// are [batch, maxSeq, kvHeads*hd]. Row r = b*n+i of q sits at position
// t = pos[r] of sequence b and, with scale = 1/sqrt(hd), query head h, kv
// head g = h/(heads/kvHeads) and s_j = scale * q_r·kc[b, j, g] for j <= t,
//
//	out_r = sum_{j<=t} softmax(s)_j vc[b, j, g]
//
// Cache rows 0..t of sequence b must hold the keys and values of those
// positions (CacheWrite them before the call, the row's own included).
//
// The (row, head) pairs are spread over the pool; each keeps its scores in
// its chunk's scratch, takes the softmax with the vector exponential (sum in
// float64, as AttentionForward) and accumulates the weighted values row by
// row. The result does not depend on the pool size.
func AttentionCached[T Float](p *Pool, out, q, kc, vc []T, pos []int32, n, maxSeq, heads, kvHeads, hd int) {
	if n <= 0 || heads <= 0 || kvHeads <= 0 || hd <= 0 || heads%kvHeads != 0 {
		return
	}
	ws := p.acquire()
	defer p.release(ws)
	work := 0 // the keys of an average row, for the grain
	if len(pos) > 0 {
		work = (int(pos[len(pos)-1]) + 1) * hd * 2
	}
	parallel(ws, len(pos)*heads, opGrain(work), attnCached[T]{ws: ws, out: out, q: q, kc: kc, vc: vc, pos: pos,
		n: n, maxSeq: maxSeq, heads: heads, kvHeads: kvHeads, hd: hd})
}

// attnCached is the loop of AttentionCached over (row, head) pairs.
type attnCached[T Float] struct {
	ws                            *workspace
	out, q, kc, vc                []T
	pos                           []int32
	n, maxSeq, heads, kvHeads, hd int
}

func (a *attnCached[T]) run(chunk, lo, hi int) {
	hd, heads := a.hd, a.heads
	group := heads / a.kvHeads
	qStride, kvStride := heads*hd, a.kvHeads*hd
	scale := T(1 / math.Sqrt(float64(hd)))
	s := floats[T](a.ws.chunk(chunk), a.maxSeq)
	for rh := lo; rh < hi; rh++ {
		r, h := rh/heads, rh%heads
		t := int(a.pos[r])
		base := (r/a.n*a.maxSeq)*kvStride + (h/group)*hd
		qr := a.q[r*qStride+h*hd:][:hd]
		live := s[:t+1]
		for j := range live {
			live[j] = scale * vecDot(qr, a.kc[base+j*kvStride:][:hd])
		}
		mx := rowMax(live)
		sum := expSub(live, live, mx, 1)
		or := a.out[r*qStride+h*hd:][:hd]
		clear(or)
		for j, w := range live {
			vecAxpy(or, w, a.vc[base+j*kvStride:][:hd])
		}
		inv := T(1 / sum)
		for i := range or {
			or[i] *= inv
		}
	}
}
