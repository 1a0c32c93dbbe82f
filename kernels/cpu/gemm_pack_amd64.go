//go:build amd64

package cpu

import "golang.org/x/sys/cpu"

// packT8AVX transposes 8 lanes: dst[p*w+r] = src[r*ld+p] for r < 8 and
// p < n, n a multiple of 8. Unchecked preconditions: len(src) >=
// 7*ld+n and len(dst) >= (n-1)*w+8.
//
//go:noescape
func packT8AVX(dst []float32, w int, src []float32, ld, n int)

// packT4AVX is packT8AVX for 4 lanes: dst[p*w+r] = src[r*ld+p] for r < 4
// and p < n, n a multiple of 8. Unchecked preconditions: len(src) >=
// 3*ld+n and len(dst) >= (n-1)*w+4.
//
//go:noescape
func packT4AVX(dst []float32, w int, src []float32, ld, n int)

// packCopyAVX copies cnt values per step: dst[p*w+r] = src[p*ld+r] for
// p < kc and r < cnt, cnt a multiple of 4. Unchecked preconditions:
// len(src) >= (kc-1)*ld+cnt and len(dst) >= (kc-1)*w+cnt.
//
//go:noescape
func packCopyAVX(dst []float32, w int, src []float32, ld, kc, cnt int)

// packContig fills the kc x w micro-panel d from a source where the w values
// of step p are contiguous at src[off+p*ld:]; only the first cnt of them
// exist, the rest are zero. Whole groups of 4 values move as vectors.
func packContig(d, src []float32, off, ld, kc, cnt, w int) {
	c4 := cnt &^ 3
	if !cpu.X86.HasAVX || kc == 0 || c4 == 0 {
		packContigGo(d, src, off, ld, kc, cnt, w)
		return
	}
	d = d[:kc*w]
	// Slicing checks the bounds the assembly relies on.
	packCopyAVX(d[:(kc-1)*w+c4], w, src[off:off+(kc-1)*ld+c4], ld, kc, c4)
	if c4 == w {
		return
	}
	for p := range kc {
		dp := d[p*w+c4 : p*w+w]
		n := copy(dp, src[off+p*ld+c4:off+p*ld+cnt])
		clear(dp[n:])
	}
}

// packStrided fills the kc x w micro-panel d from a source where lane r of
// the panel is the contiguous run src[off+r*ld:][:kc], for r < cnt; lanes
// past cnt are zero. Blocks of 8 (then 4) lanes by 8 steps are transposed in
// vector registers; the ragged rest is done element by element.
func packStrided(d, src []float32, off, ld, kc, cnt, w int) {
	k8 := kc &^ 7
	if !cpu.X86.HasAVX || k8 == 0 {
		packStridedGo(d, src, off, ld, kc, cnt, w)
		return
	}
	d = d[:kc*w]
	r := 0
	// Slicing checks the bounds the assembly relies on.
	for ; r+8 <= cnt; r += 8 {
		packT8AVX(d[r:r+(k8-1)*w+8], w, src[off+r*ld:off+(r+7)*ld+k8], ld, k8)
	}
	for ; r+4 <= cnt; r += 4 {
		packT4AVX(d[r:r+(k8-1)*w+4], w, src[off+r*ld:off+(r+3)*ld+k8], ld, k8)
	}
	packStridedLanes(d, src, off, ld, 0, kc, r, cnt, w)
	packStridedLanes(d, src, off, ld, k8, kc, 0, r, w)
	clearLanes(d, kc, cnt, w)
}
