package cpu

import "math"

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
// the softmax without storing it. The softmax is max-subtracted and its sum
// and logarithm are taken in float64.
//
// The (b, h) pairs are spread over the pool; each thread uses O(seq + hd)
// scratch. The result does not depend on the pool size.
func AttentionForward[T Float](p *Pool, out, lse, q, k, v []T, batch, seq, heads, kvHeads, hd int) {
	if batch <= 0 || seq <= 0 || heads <= 0 || kvHeads <= 0 || hd <= 0 {
		return
	}
	group := heads / kvHeads
	if group < 1 {
		return
	}
	qStride, kvStride := heads*hd, kvHeads*hd
	scale := T(1 / math.Sqrt(float64(hd)))
	p.For(batch*heads, 1, func(_, lo, hi int) {
		buf := make([]T, seq+hd)
		scores, qs := buf[:seq], buf[seq:]
		for bh := lo; bh < hi; bh++ {
			b, h := bh/heads, bh%heads
			qOff := b*seq*qStride + h*hd
			kvOff := b*seq*kvStride + (h/group)*hd
			lseRow := lse[bh*seq : (bh+1)*seq]
			for t := range lseRow {
				qt := q[qOff+t*qStride:][:len(qs)]
				for i := range qs {
					qs[i] = qt[i] * scale
				}
				sc := scores[:t+1]
				rowDots(sc, qs, k, kvOff, kvStride)
				mx := sc[0]
				for _, s := range sc {
					mx = max(mx, s)
				}
				var sum float64
				for j, s := range sc {
					e := expFor[T](float64(s - mx))
					sc[j] = T(e)
					sum += e
				}
				inv := T(1 / sum)
				for j := range sc {
					sc[j] *= inv
				}
				ot := out[qOff+t*qStride:][:hd]
				clear(ot)
				rowAxpys(ot, sc, v, kvOff, kvStride)
				lseRow[t] = T(float64(mx) + math.Log(sum))
			}
		}
	})
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
// summed over every query head that shares the kv head for dk and dv. The
// work is split over (b, kv head) groups, which own disjoint parts of dq, dk
// and dv, so there are no races and every sum runs in a fixed order: the
// result does not depend on the pool size. Each thread uses O(seq + hd)
// scratch. Inputs as in AttentionForward.
func AttentionBackward[T Float](p *Pool, dq, dk, dv, q, k, v, out, lse, dout []T, batch, seq, heads, kvHeads, hd int) {
	if batch <= 0 || seq <= 0 || heads <= 0 || kvHeads <= 0 || hd <= 0 {
		return
	}
	group := heads / kvHeads
	if group < 1 {
		return
	}
	qStride, kvStride := heads*hd, kvHeads*hd
	scale := T(1 / math.Sqrt(float64(hd)))
	p.For(batch*kvHeads, 1, func(_, lo, hi int) {
		// Query rows are handled in blocks of up to bwdBlock, so that each
		// dk_j and dv_j is read and written once per block, not once per row.
		// Per row u of a block: qs_u = scale*q_t, and P_u, dS_u over the keys.
		buf := make([]T, bwdBlock*(hd+2*seq))
		qsBuf, pBuf, dsBuf := buf[:bwdBlock*hd], buf[bwdBlock*hd:bwdBlock*(hd+seq)], buf[bwdBlock*(hd+seq):]
		for bg := lo; bg < hi; bg++ {
			b, g := bg/kvHeads, bg%kvHeads
			kvOff := b*seq*kvStride + g*hd
			for j := range seq {
				clear(dk[kvOff+j*kvStride:][:hd])
				clear(dv[kvOff+j*kvStride:][:hd])
			}
			for h := g * group; h < (g+1)*group; h++ {
				qOff := b*seq*qStride + h*hd
				lseRow := lse[(b*heads+h)*seq : (b*heads+h+1)*seq]
				for t0 := 0; t0 < seq; t0 += bwdBlock {
					nb := min(bwdBlock, seq-t0)
					keys := t0 + nb // keys 0..keys-1 are seen by some row of the block
					var qsRow, gRow, pRow, dsRow [bwdBlock][]T
					for u := range nb {
						t := t0 + u
						off := qOff + t*qStride
						qs := qsBuf[u*hd : (u+1)*hd]
						qt := q[off:][:len(qs)]
						for i := range qs {
							qs[i] = qt[i] * scale
						}
						gt := dout[off:][:hd]
						pr := pBuf[u*seq:][:keys]
						dr := dsBuf[u*seq:][:keys]
						qsRow[u], gRow[u], pRow[u], dsRow[u] = qs, gt, pr, dr
						attnRowGrad(dq[off:][:hd], pr[:t+1], dr[:t+1], qs, gt, out[off:][:hd], k, v, kvOff, kvStride, lseRow[t], scale)
						// Keys after t are masked for this row: weight 0.
						clear(pr[t+1:])
						clear(dr[t+1:])
					}
					for j := range keys {
						off := kvOff + j*kvStride
						dkj, dvj := dk[off:][:hd], dv[off:][:hd]
						if nb == bwdBlock {
							vecAxpy4(dkj, dsRow[0][j], dsRow[1][j], dsRow[2][j], dsRow[3][j], qsRow[0], qsRow[1], qsRow[2], qsRow[3])
							vecAxpy4(dvj, pRow[0][j], pRow[1][j], pRow[2][j], pRow[3][j], gRow[0], gRow[1], gRow[2], gRow[3])
							continue
						}
						for u := range nb {
							vecAxpy(dkj, dsRow[u][j], qsRow[u])
							vecAxpy(dvj, pRow[u][j], gRow[u])
						}
					}
				}
			}
		}
	})
}

// bwdBlock is how many query rows AttentionBackward handles together; the
// dk, dv update is unrolled for exactly this many.
const bwdBlock = 4

// attnRowGrad does the per-row part of the attention backward for one query
// row t = len(pr)-1: it sets pr[j] = P_tj and dr[j] = dS_tj for j <= t and
// dq_t = scale * sum_j dS_tj k_j. qs is scale*q_t, g is dout_t, o is out_t,
// lse is lse_t, and key j is row kvOff+j*kvStride of k and v.
func attnRowGrad[T Float](dqt, pr, dr, qs, g, o, k, v []T, kvOff, kvStride int, lse, scale T) {
	dd := vecDot(g, o)
	rowDots(pr, qs, k, kvOff, kvStride) // scores
	rowDots(dr, g, v, kvOff, kvStride)  // dout_t·v_j
	l := float64(lse)
	dr = dr[:len(pr)]
	for j, s := range pr {
		pj := T(expFor[T](float64(s) - l))
		pr[j] = pj
		dr[j] = pj * (dr[j] - dd)
	}
	clear(dqt)
	rowAxpys(dqt, dr, k, kvOff, kvStride)
	for i := range dqt {
		dqt[i] *= scale
	}
}

// rowDots sets dst[j] = a·m_j for j < len(dst), where m_j is the len(a)
// elements of m from off+j*stride: the scores of one query against a run of
// keys. It takes the rows four at a time.
func rowDots[T Float](dst, a, m []T, off, stride int) {
	n := len(a)
	j := 0
	for ; j+4 <= len(dst); j += 4 {
		o := off + j*stride
		dst[j], dst[j+1], dst[j+2], dst[j+3] = vecDot4(a, m[o:][:n], m[o+stride:][:n], m[o+2*stride:][:n], m[o+3*stride:][:n])
	}
	for ; j < len(dst); j++ {
		dst[j] = vecDot(a, m[off+j*stride:][:n])
	}
}

// rowAxpys sets dst += sum_j w[j]*m_j for j < len(w), where m_j is the
// len(dst) elements of m from off+j*stride: a softmax-weighted sum of value
// rows. It takes the rows four at a time.
func rowAxpys[T Float](dst, w, m []T, off, stride int) {
	n := len(dst)
	j := 0
	for ; j+4 <= len(w); j += 4 {
		o := off + j*stride
		vecAxpy4(dst, w[j], w[j+1], w[j+2], w[j+3], m[o:][:n], m[o+stride:][:n], m[o+2*stride:][:n], m[o+3*stride:][:n])
	}
	for ; j < len(w); j++ {
		vecAxpy(dst, w[j], m[off+j*stride:][:n])
	}
}
