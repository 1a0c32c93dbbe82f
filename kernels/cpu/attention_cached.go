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
// The (row, head) pairs are claimed by the pool's goroutines as they come
// free; each keeps its scores in its goroutine's scratch, takes the softmax
// with the vector exponential (sum in float64, as AttentionForward) and
// accumulates the weighted values, four cache rows at a time in vector
// assembly for float32. The result does not depend on the pool size.
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
	claimed(ws, len(pos)*heads, opGrain(work), attnCached[T]{ws: ws, out: out, q: q, kc: kc, vc: vc, pos: pos,
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
		cachedScores(live, qr, a.kc[base:], kvStride, scale)
		mx := rowMax(live)
		sum := expSub(live, live, mx, 1)
		or := a.out[r*qStride+h*hd:][:hd]
		clear(or)
		cachedValues(or, live, a.vc[base:], kvStride)
		inv := T(1 / sum)
		for i := range or {
			or[i] *= inv
		}
	}
}

// cachedScores sets s[j] = scale * q·kc[j*stride : j*stride+len(q)].
func cachedScores[T Float](s, q, kc []T, stride int, scale T) {
	hd, j := len(q), 0
	if is32[T]() {
		q32, k32 := asF32(q), asF32(kc)
		var dots [4]float32
		for ; j+4 <= len(s); j += 4 {
			sdot4(q32, k32[j*stride:], stride, &dots)
			for i, d := range dots {
				s[j+i] = scale * T(d)
			}
		}
	}
	for ; j < len(s); j++ {
		s[j] = scale * vecDot(q, kc[j*stride:][:hd])
	}
}

// cachedValues adds sum_j w[j] * vc[j*stride : j*stride+len(out)] to out.
func cachedValues[T Float](out, w, vc []T, stride int) {
	j := 0
	if is32[T]() {
		o32, v32 := asF32(out), asF32(vc)
		var ws [4]float32
		for ; j+4 <= len(w); j += 4 {
			for i := range ws {
				ws[i] = float32(w[j+i])
			}
			saxpy4(o32, v32[j*stride:], stride, &ws)
		}
	}
	for ; j < len(w); j++ {
		vecAxpy(out, w[j], vc[j*stride:][:len(out)])
	}
}
