package cpu

import "testing"

// TestRoPEAt checks that a row at position p is rotated exactly as RoPE
// rotates row p of a sequence, in place and out of place, for every pool.
func TestRoPEAt(t *testing.T) {
	const maxSeq, heads, hd = 11, 3, 8
	width := heads * hd
	cos, sin := RoPETablesAs[float64](maxSeq, hd, 10000)
	rng := opRNG(5)
	pos := []int32{10, 0, 3, 3, 7}
	x := opRand[float64](rng, len(pos)*width)
	want := make([]float64, len(x))
	seqX := make([]float64, maxSeq*width)
	seqOut := make([]float64, maxSeq*width)
	for r, p := range pos {
		copy(seqX[int(p)*width:], x[r*width:(r+1)*width])
		RoPE(nil, seqOut, seqX, cos, sin, maxSeq, heads, hd, false)
		copy(want[r*width:(r+1)*width], seqOut[int(p)*width:])
	}
	for _, pc := range opPools {
		out := opRand[float64](rng, len(x))
		RoPEAt(pc.p, out, x, cos, sin, pos, heads, hd)
		opSame(t, "out/"+pc.name, out, want)
		inPlace := append([]float64(nil), x...)
		RoPEAt(pc.p, inPlace, inPlace, cos, sin, pos, heads, hd)
		opSame(t, "in place/"+pc.name, inPlace, want)
	}
}
