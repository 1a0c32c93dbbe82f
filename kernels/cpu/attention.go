package cpu

import "math"

// attnBlock is how many query rows the attention kernels take per tile: a
// tile's scores against the keys it can see are at most attnBlock x seq.
const attnBlock = 64

// AttentionForward is causal scaled dot-product attention with grouped-query
// attention (GQA), the core of a Llama attention block.
//
// q and out are [batch*seq, heads*hd] and k, v are [batch*seq, kvHeads*hd]:
// row b*seq+t holds position t of sequence b, and head h occupies columns
// h*hd..(h+1)*hd. Query head h reads kv head h/(heads/kvHeads), so heads must
// be a multiple of kvHeads. For every sequence b, head h and position t,
// with scale = 1/sqrt(hd) and s_j = scale * q_t·k_j for j <= t,
//
//	out_t = sum_{j<=t} softmax(s)_j v_j
//	lse[b,h,t] = log sum_{j<=t} exp(s_j)
//
// lse is [batch, heads, seq] and is what AttentionBackward needs to recompute
// the softmax without storing it.
//
// The (b, h) pairs are spread over the pool. Each gathers its head of k and v
// into dense scratch and walks the queries in tiles of attnBlock rows: the
// tile's scores against the keys up to its last row are one GEMM, the
// max-subtracted exponentials one vector pass per row (masked keys are set
// to 0, the sum is kept in float64), and the unnormalised product with v a
// second GEMM whose rows are then divided by their sums. Keys after a tile's
// last row are never touched. Every GEMM runs on its task's goroutine, so the
// result does not depend on the pool size.
func AttentionForward[T Float](p *Pool, out, lse, q, k, v []T, batch, seq, heads, kvHeads, hd int) {
	if batch <= 0 || seq <= 0 || heads <= 0 || kvHeads <= 0 || hd <= 0 {
		return
	}
	group := heads / kvHeads
	if group < 1 {
		return
	}
	ws := p.acquire()
	defer p.release(ws)
	parallel(ws, batch*heads, 1, attnForward[T]{ws: ws, out: out, lse: lse, q: q, k: k, v: v,
		seq: seq, heads: heads, kvHeads: kvHeads, hd: hd})
}

// attnForward is the loop of AttentionForward over (b, h) pairs.
type attnForward[T Float] struct {
	ws                      *workspace
	out, lse, q, k, v       []T
	seq, heads, kvHeads, hd int
}

func (a *attnForward[T]) run(chunk, lo, hi int) {
	out, lse, q, k, v := a.out, a.lse, a.q, a.k, a.v
	seq, heads, hd := a.seq, a.heads, a.hd
	group := heads / a.kvHeads
	qStride, kvStride := heads*hd, a.kvHeads*hd
	scale := T(1 / math.Sqrt(float64(hd)))
	qb := min(attnBlock, seq)
	sc := a.ws.chunk(chunk)
	buf := floats[T](sc, 2*seq*hd+2*qb*hd+qb*seq)
	// k and v of one head (seq x hd); per tile q and the output (nb x
	// hd) and the scores (nb x keys).
	kh, vh, buf := buf[:seq*hd], buf[seq*hd:2*seq*hd], buf[2*seq*hd:]
	qh, oh, s := buf[:qb*hd], buf[qb*hd:2*qb*hd], buf[2*qb*hd:]
	var inv [attnBlock]T
	gathered := -1 // the kv row offset now in kh and vh
	for bh := lo; bh < hi; bh++ {
		b, h := bh/heads, bh%heads
		qOff := b*seq*qStride + h*hd
		kvOff := b*seq*kvStride + (h/group)*hd
		if kvOff != gathered {
			gatherRows(kh, k[kvOff:], seq, hd, kvStride)
			gatherRows(vh, v[kvOff:], seq, hd, kvStride)
			gathered = kvOff
		}
		lseRow := lse[bh*seq : (bh+1)*seq]
		for t0 := 0; t0 < seq; t0 += qb {
			nb := min(qb, seq-t0)
			keys := t0 + nb // keys 0..keys-1 are seen by some row of the tile
			gatherRows(qh, q[qOff+t0*qStride:], nb, hd, qStride)
			gemmSerial(sc, false, true, nb, keys, hd, scale, qh, kh, 0, s[:nb*keys])
			for u := range nb {
				t := t0 + u
				row := s[u*keys : (u+1)*keys]
				live := row[:t+1]
				mx := rowMax(live)
				sum := expSub(live, live, mx, 1)
				clear(row[t+1:])
				inv[u] = T(1 / sum)
				lseRow[t] = T(float64(mx) + math.Log(sum))
			}
			gemmSerial(sc, false, false, nb, hd, keys, 1, s[:nb*keys], vh, 0, oh)
			for u := range nb {
				ot := out[qOff+(t0+u)*qStride:][:hd]
				for i, x := range oh[u*hd : (u+1)*hd] {
					ot[i] = x * inv[u]
				}
			}
		}
	}
}

// AttentionBackward is the gradient of AttentionForward. From dout ([batch*seq,
// heads*hd]) and the forward's inputs q, k, v, its output out and its saved
// lse it sets dq (shaped as q) and dk, dv (shaped as k and v), using the
// flash-attention identities instead of a stored softmax:
//
//	P_tj  = exp(scale * q_t·k_j - lse_t)        for j <= t
//	D_t   = dout_t·out_t
//	dv_j  = sum_t P_tj dout_t
//	dS_tj = P_tj (dout_t·v_j - D_t)
//	dq_t  = scale * sum_j dS_tj k_j
//	dk_j  = scale * sum_t dS_tj q_t
//
// summed over every query head that shares the kv head for dk and dv.
//
// The work is split over (b, kv head) groups, which own disjoint parts of dq,
// dk and dv, so there are no races. A group gathers its k and v into dense
// scratch and accumulates its dk and dv there; for each of its query heads
// and each tile of attnBlock query rows (last tile first), P and dout·v^T
// are GEMMs against the keys the tile can see, dS is formed row by row with
// vector kernels, and dq, dk and dv are three more GEMMs (dk and dv
// accumulating, tile after tile and head after head in a fixed order).
// Every GEMM runs on its task's goroutine, so the result does not depend on
// the pool size. Inputs as in AttentionForward.
func AttentionBackward[T Float](p *Pool, dq, dk, dv, q, k, v, out, lse, dout []T, batch, seq, heads, kvHeads, hd int) {
	if batch <= 0 || seq <= 0 || heads <= 0 || kvHeads <= 0 || hd <= 0 {
		return
	}
	group := heads / kvHeads
	if group < 1 {
		return
	}
	ws := p.acquire()
	defer p.release(ws)
	parallel(ws, batch*kvHeads, 1, attnBackward[T]{ws: ws, dq: dq, dk: dk, dv: dv, q: q, k: k, v: v,
		out: out, lse: lse, dout: dout, seq: seq, heads: heads, kvHeads: kvHeads, hd: hd})
}

// attnBackward is the loop of AttentionBackward over (b, kv head) groups.
type attnBackward[T Float] struct {
	ws                                  *workspace
	dq, dk, dv, q, k, v, out, lse, dout []T
	seq, heads, kvHeads, hd             int
}

func (a *attnBackward[T]) run(chunk, lo, hi int) {
	dq, dk, dv, q, k, v, out, lse, dout := a.dq, a.dk, a.dv, a.q, a.k, a.v, a.out, a.lse, a.dout
	seq, heads, kvHeads, hd := a.seq, a.heads, a.kvHeads, a.hd
	group := heads / kvHeads
	qStride, kvStride := heads*hd, kvHeads*hd
	scale := T(1 / math.Sqrt(float64(hd)))
	qb := min(attnBlock, seq)
	sc := a.ws.chunk(chunk)
	buf := floats[T](sc, 4*seq*hd+3*qb*hd+2*qb*seq)
	// Per group: k, v and the dk, dv sums (seq x hd each). Per tile: q,
	// dout and dq (nb x hd), P and dP, then dS (nb x keys).
	kh, vh := buf[:seq*hd], buf[seq*hd:2*seq*hd]
	dkh, dvh, buf := buf[2*seq*hd:3*seq*hd], buf[3*seq*hd:4*seq*hd], buf[4*seq*hd:]
	qh, gh, dqh, buf := buf[:qb*hd], buf[qb*hd:2*qb*hd], buf[2*qb*hd:3*qb*hd], buf[3*qb*hd:]
	s, ds := buf[:qb*seq], buf[qb*seq:2*qb*seq]
	var dd [attnBlock]T
	for bg := lo; bg < hi; bg++ {
		b, g := bg/kvHeads, bg%kvHeads
		kvOff := b*seq*kvStride + g*hd
		gatherRows(kh, k[kvOff:], seq, hd, kvStride)
		gatherRows(vh, v[kvOff:], seq, hd, kvStride)
		// The tiles run last to first, so the group's first GEMMs into
		// dkh and dvh cover every key and can overwrite them (beta 0).
		var beta T
		for h := g * group; h < (g+1)*group; h++ {
			qOff := b*seq*qStride + h*hd
			lseRow := lse[(b*heads+h)*seq : (b*heads+h+1)*seq]
			for t0 := (seq - 1) / qb * qb; t0 >= 0; t0 -= qb {
				nb := min(qb, seq-t0)
				keys := t0 + nb
				tq := qOff + t0*qStride
				gatherRows(qh, q[tq:], nb, hd, qStride)
				gatherRows(gh, dout[tq:], nb, hd, qStride)
				for u := range nb {
					dd[u] = vecDot(gh[u*hd:(u+1)*hd], out[tq+u*qStride:][:hd])
				}
				sp, dsp := s[:nb*keys], ds[:nb*keys]
				gemmSerial(sc, false, true, nb, keys, hd, scale, qh, kh, 0, sp)
				gemmSerial(sc, false, true, nb, keys, hd, 1, gh, vh, 0, dsp)
				for u := range nb {
					t := t0 + u
					pr, dr := sp[u*keys:(u+1)*keys], dsp[u*keys:(u+1)*keys]
					expSub(pr[:t+1], pr[:t+1], lseRow[t], 1)
					softmaxGrad(dr[:t+1], pr[:t+1], dd[u])
					clear(pr[t+1:])
					clear(dr[t+1:])
				}
				gemmSerial(sc, false, false, nb, hd, keys, scale, dsp, kh, 0, dqh)
				scatterRows(dq[tq:], dqh, nb, hd, qStride)
				gemmSerial(sc, true, false, keys, hd, nb, scale, dsp, qh, beta, dkh[:keys*hd])
				gemmSerial(sc, true, false, keys, hd, nb, 1, sp, gh, beta, dvh[:keys*hd])
				beta = 1
			}
		}
		scatterRows(dk[kvOff:], dkh, seq, hd, kvStride)
		scatterRows(dv[kvOff:], dvh, seq, hd, kvStride)
	}
}

// softmaxGrad sets dp[j] = p[j] * (dp[j] - d) for j < len(dp): the gradient
// of a softmax row p with respect to its logits, from the gradient dp with
// respect to p and d = sum_j p[j]*dp[j] (which attention gets as dout·out).
func softmaxGrad[T Float](dp, p []T, d T) {
	if is32[T]() {
		softmaxGrad32(asF32(dp), asF32(p), float32(d))
		return
	}
	p = p[:len(dp)]
	for j, x := range dp {
		dp[j] = p[j] * (x - d)
	}
}

// gatherRows copies rows rows of n elements, row i starting at src[i*stride],
// into the dense rows x n matrix dst.
func gatherRows[T Float](dst, src []T, rows, n, stride int) {
	for i := range rows {
		copy(dst[i*n:(i+1)*n], src[i*stride:][:n])
	}
}

// scatterRows is the inverse of gatherRows: it copies the dense rows x n
// matrix src into rows of n elements of dst, row i starting at dst[i*stride].
func scatterRows[T Float](dst, src []T, rows, n, stride int) {
	for i := range rows {
		copy(dst[i*stride:][:n], src[i*n:(i+1)*n])
	}
}
