//go:build !amd64

package cpu

// packContig fills the kc x w micro-panel d from a source where the w values
// of step p are contiguous at src[off+p*ld:]; only the first cnt of them
// exist, the rest are zero. This architecture has no vector version.
func packContig(d, src []float32, off, ld, kc, cnt, w int) {
	packContigGo(d, src, off, ld, kc, cnt, w)
}

// packStrided fills the kc x w micro-panel d from a source where lane r of
// the panel is the contiguous run src[off+r*ld:][:kc], for r < cnt; lanes
// past cnt are zero. This architecture has no vector version.
func packStrided(d, src []float32, off, ld, kc, cnt, w int) {
	packStridedGo(d, src, off, ld, kc, cnt, w)
}
