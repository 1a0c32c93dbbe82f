package cpu

import (
	"math"
	"testing"
)

func TestSwiGLU(t *testing.T) {
	cases := []struct {
		name  string
		n     int
		scale float64 // spread of gate values
	}{
		{"small", 1, 1},
		{"odd", 37, 3},
		{"saturating", 64, 30},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := opRNG(uint64(c.n))
			gate := opRand[float64](rng, c.n)
			for i := range gate {
				gate[i] *= c.scale
			}
			up := opRand[float64](rng, c.n)
			R := opRand[float64](rng, c.n)
			want := make([]float64, c.n)
			for i, g := range gate {
				want[i] = g / (1 + math.Exp(-g)) * up[i]
			}
			for _, pc := range opPools {
				out := make([]float64, c.n)
				SwiGLUForward(pc.p, out, gate, up)
				opClose(t, "out", out, want, 1e-15)
				dg, du := make([]float64, c.n), make([]float64, c.n)
				SwiGLUBackward(pc.p, dg, du, gate, up, R)
				loss := func() float64 {
					o := make([]float64, c.n)
					SwiGLUForward(nil, o, gate, up)
					return opDot(o, R)
				}
				opCheckGrad(t, "dgate/"+pc.name, gate, dg, loss)
				opCheckGrad(t, "dup/"+pc.name, up, du, loss)
			}
		})
	}
}

func TestSwiGLUExtremes(t *testing.T) {
	gate := []float32{-1e4, -100, 0, 100, 1e4}
	up := []float32{1, 1, 1, 1, 1}
	out := make([]float32, len(gate))
	dg, du := make([]float32, len(gate)), make([]float32, len(gate))
	SwiGLUForward(nil, out, gate, up)
	SwiGLUBackward(nil, dg, du, gate, up, up)
	opClose(t, "out", out, []float32{0, 0, 0, 100, 1e4}, 1e-6)
	opClose(t, "dgate", dg, []float32{0, 0, 0.5, 1, 1}, 1e-6)
	opClose(t, "dup", du, []float32{0, 0, 0, 100, 1e4}, 1e-6)
}

func TestSwiGLUPools(t *testing.T) {
	n := opMinWork + 3 // several chunks
	rng := opRNG(9)
	gate, up, dout := opRand[float32](rng, n), opRand[float32](rng, n), opRand[float32](rng, n)
	var ref [][]float32
	for _, pc := range opPools {
		out, dg, du := make([]float32, n), make([]float32, n), make([]float32, n)
		SwiGLUForward(pc.p, out, gate, up)
		SwiGLUBackward(pc.p, dg, du, gate, up, dout)
		if ref == nil {
			ref = [][]float32{out, dg, du}
			continue
		}
		opSame(t, "out", out, ref[0])
		opSame(t, "dgate", dg, ref[1])
		opSame(t, "dup", du, ref[2])
	}
}
