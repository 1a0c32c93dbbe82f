package cpu

import (
	"math"
	"testing"
)

// naiveRMSNorm is the textbook RMSNorm forward in float64.
func naiveRMSNorm(x, w []float64, d int, eps float64) (out, rstd []float64) {
	rows := len(x) / d
	out, rstd = make([]float64, len(x)), make([]float64, rows)
	for r := range rows {
		var ss float64
		for j := range d {
			ss += x[r*d+j] * x[r*d+j]
		}
		rstd[r] = 1 / math.Sqrt(ss/float64(d)+eps)
		for j := range d {
			out[r*d+j] = x[r*d+j] * rstd[r] * w[j]
		}
	}
	return out, rstd
}

func TestRMSNorm(t *testing.T) {
	cases := []struct {
		name    string
		rows, d int
		eps     float64
	}{
		{"d1", 3, 1, 1e-5},
		{"odd d7", 5, 7, 1e-5},
		{"odd d13", 2, 13, 1e-6},
		{"d16 large eps", 4, 16, 0.1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := opRNG(uint64(c.rows*100 + c.d))
			x := opRand[float64](rng, c.rows*c.d)
			w := opRand[float64](rng, c.d)
			R := opRand[float64](rng, c.rows*c.d)
			wantOut, wantRstd := naiveRMSNorm(x, w, c.d, c.eps)
			out := make([]float64, len(x))
			rstd := make([]float64, c.rows)
			for _, pc := range opPools {
				RMSNormForward(pc.p, out, rstd, x, w, c.d, c.eps)
				opClose(t, "out", out, wantOut, 1e-14)
				opClose(t, "rstd", rstd, wantRstd, 1e-14)
				dx := opRand[float64](rng, len(x))
				dw := opRand[float64](rng, c.d)
				RMSNormBackward(pc.p, dx, dw, x, w, rstd, R, c.d)
				loss := func() float64 {
					o := make([]float64, len(x))
					s := make([]float64, c.rows)
					RMSNormForward(nil, o, s, x, w, c.d, c.eps)
					return opDot(o, R)
				}
				opCheckGrad(t, "dx/"+pc.name, x, dx, loss)
				opCheckGrad(t, "dw/"+pc.name, w, dw, loss)
			}
		})
	}
}

func TestRMSNormDeterministic(t *testing.T) {
	const rows, d = 300, 200
	rng := opRNG(3)
	x := opRand[float32](rng, rows*d)
	w := opRand[float32](rng, d)
	dout := opRand[float32](rng, rows*d)
	var refOut, refRstd, refDx, refDw []float32
	for _, pc := range opPools {
		out, rstd := make([]float32, rows*d), make([]float32, rows)
		dx, dw := make([]float32, rows*d), make([]float32, d)
		RMSNormForward(pc.p, out, rstd, x, w, d, 1e-5)
		RMSNormBackward(pc.p, dx, dw, x, w, rstd, dout, d)
		if refOut == nil {
			refOut, refRstd, refDx, refDw = out, rstd, dx, dw
			continue
		}
		opSame(t, "out", out, refOut)
		opSame(t, "rstd", rstd, refRstd)
		opSame(t, "dx", dx, refDx)
		opSame(t, "dw", dw, refDw)
	}
}
