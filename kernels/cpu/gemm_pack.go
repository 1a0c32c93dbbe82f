package cpu

// packA copies the mc x kc block of op(A) at rows i0.., columns p0.. into dst
// as consecutive micro-panels of mr rows: in each panel, column p holds its
// mr values contiguously, which is the order the micro-kernel broadcasts
// them. Rows past mc in the last panel are zero. op(A)[i][p] is
// a[i*lda+p], or a[p*lda+i] when transA.
//
// Precondition: len(dst) >= ceil(mc/mr)*mr*kc.
func packA(dst, a []float32, transA bool, lda, i0, mc, p0, kc, mr int) {
	for ii := 0; ii < mc; ii += mr {
		rows := min(mr, mc-ii)
		d := dst[ii*kc : (ii+mr)*kc]
		if transA {
			packContig(d, a, (p0*lda)+i0+ii, lda, kc, rows, mr)
		} else {
			packStrided(d, a, (i0+ii)*lda+p0, lda, kc, rows, mr)
		}
	}
}

// packB copies the kc x nc block of op(B) at rows p0.., columns j0.. into dst
// as consecutive micro-panels of nr columns: in each panel, row p holds its
// nr values contiguously, the order the micro-kernel loads them as vectors.
// Columns past nc in the last panel are zero. op(B)[p][j] is b[p*ldb+j], or
// b[j*ldb+p] when transB.
//
// Precondition: len(dst) >= ceil(nc/nr)*nr*kc.
func packB(dst, b []float32, transB bool, ldb, p0, kc, j0, nc, nr int) {
	for jj := 0; jj < nc; jj += nr {
		cols := min(nr, nc-jj)
		d := dst[jj*kc : (jj+nr)*kc]
		if transB {
			packStrided(d, b, (j0+jj)*ldb+p0, ldb, kc, cols, nr)
		} else {
			packContig(d, b, p0*ldb+j0+jj, ldb, kc, cols, nr)
		}
	}
}

// packContigGo is the portable packContig: it fills the kc x w micro-panel
// d from a source where the w values of step p are contiguous at
// src[off+p*ld:]; only the first cnt of them exist, the rest are zero.
func packContigGo(d, src []float32, off, ld, kc, cnt, w int) {
	d = d[:kc*w]
	for p := range kc {
		dp := d[p*w : p*w+w]
		copy(dp, src[off+p*ld:off+p*ld+cnt])
		clear(dp[cnt:])
	}
}

// packStridedGo is the portable packStrided: it fills the kc x w micro-panel
// d from a source where lane r of the panel is the contiguous run
// src[off+r*ld:][:kc], for r < cnt; lanes past cnt are zero.
func packStridedGo(d, src []float32, off, ld, kc, cnt, w int) {
	d = d[:kc*w]
	r := 0
	for ; r+4 <= cnt; r += 4 {
		s0 := src[off+r*ld:][:kc]
		s1 := src[off+(r+1)*ld:][:kc]
		s2 := src[off+(r+2)*ld:][:kc]
		s3 := src[off+(r+3)*ld:][:kc]
		for p := range kc {
			q := d[p*w+r : p*w+r+4]
			q[0], q[1], q[2], q[3] = s0[p], s1[p], s2[p], s3[p]
		}
	}
	packStridedLanes(d, src, off, ld, 0, kc, r, cnt, w)
	clearLanes(d, kc, cnt, w)
}

// packStridedLanes does packStrided's transpose one element at a time for
// steps [p0, p1) and lanes [r0, r1): it finishes what the wide paths leave.
func packStridedLanes(d, src []float32, off, ld, p0, p1, r0, r1, w int) {
	for r := r0; r < r1; r++ {
		s := src[off+r*ld+p0 : off+r*ld+p1]
		for i, v := range s {
			d[(p0+i)*w+r] = v
		}
	}
}

// clearLanes zeroes lanes [cnt, w) of every step of the kc x w panel d, the
// padding of an edge panel.
func clearLanes(d []float32, kc, cnt, w int) {
	if cnt >= w {
		return
	}
	for p := range kc {
		clear(d[p*w+cnt : p*w+w])
	}
}
