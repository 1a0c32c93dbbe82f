package cpu

import (
	"math"
	"testing"
)

func TestSumSquares(t *testing.T) {
	for _, n := range []int{0, 1, 3, sumChunk, 3*sumChunk + 17} {
		x := opRand[float32](opRNG(uint64(n)), n)
		var want float64
		for _, v := range x {
			want += float64(v) * float64(v)
		}
		var ref float64
		for i, p := range []*Pool{nil, NewPool(2), NewPool(3), NewPool(7)} {
			got := SumSquares(p, x)
			if math.Abs(got-want) > 1e-12*math.Max(1, want) {
				t.Errorf("n=%d: SumSquares = %v, want %v", n, got, want)
			}
			if i == 0 {
				ref = got
			} else if got != ref {
				t.Errorf("n=%d: %v with %d threads, %v serial", n, got, p.Threads(), ref)
			}
		}
	}
}

// TestAdamWTwoSteps checks a hand-worked example: one parameter p = 1,
// lr = 0.1, betas (0.9, 0.999), eps = 1e-8, weight decay 0.1, gradient scale 2.
//
// Step 1, g = 2*0.5 = 1: p = 1*(1-0.01) = 0.99; m = 0.1; v = 0.001;
// bc1 = 0.1, bc2 = 0.001, so m/bc1 = 1 and sqrt(v/bc2) = 1:
// p = 0.99 - 0.1*1/(1+1e-8) = 0.890000001.
//
// Step 2, g = 2*(-0.25) = -0.5: p = 0.890000001*0.99 = 0.88110000099;
// m = 0.9*0.1 + 0.1*(-0.5) = 0.04; v = 0.999*0.001 + 0.001*0.25 = 0.001249;
// bc1 = 0.19, bc2 = 0.001999: p = 0.88110000099 - 0.1*(0.04/0.19) /
// (sqrt(0.001249)/sqrt(0.001999) + 1e-8) = 0.854466297...
func TestAdamWTwoSteps(t *testing.T) {
	steps := []struct {
		grad          float32
		wantP, wantM  float64
		wantV, relTol float64
	}{
		{0.5, 0.890000001, 0.1, 0.001, 2e-7},
		{-0.25, 0.8544662973609032, 0.04, 0.001249, 2e-7},
	}
	for _, pc := range opPools {
		p, m, v := []float32{1}, []float32{0}, []float32{0}
		for i, s := range steps {
			AdamW(pc.p, p, []float32{s.grad}, m, v, 2, 0.1, 0.9, 0.999, 1e-8, 0.1, i+1)
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"param", float64(p[0]), s.wantP}, {"m", float64(m[0]), s.wantM}, {"v", float64(v[0]), s.wantV}} {
				if math.Abs(c.got-c.want) > s.relTol*math.Abs(c.want) {
					t.Errorf("%s step %d: %s = %.9g, want %.9g", pc.name, i+1, c.name, c.got, c.want)
				}
			}
		}
	}
}

// TestAdamWVector runs a few steps on random data against the float64 formula
// and checks that the pool does not change a bit. beta1 = 0.3 takes the other
// branch of ATen's lerp.
func TestAdamWVector(t *testing.T) {
	const n = 3*opMinWork + 11
	cases := []struct {
		lr, b1, b2, eps, wd, scale float64
	}{
		{3e-4, 0.9, 0.95, 1e-8, 0.1, 0.5},
		{1e-2, 0.3, 0.999, 1e-6, 0, 2},
	}
	for ci, c := range cases {
		rng := opRNG(17 + uint64(ci))
		p0 := opRand[float32](rng, n)
		grads := [][]float32{opRand[float32](rng, n), opRand[float32](rng, n), opRand[float32](rng, n)}
		var ref []float32
		for _, pc := range opPools {
			p := append([]float32(nil), p0...)
			m, v := make([]float32, n), make([]float32, n)
			want := make([]float64, n)
			wm, wv := make([]float64, n), make([]float64, n)
			for i := range want {
				want[i] = float64(p0[i])
			}
			for s, g := range grads {
				step := s + 1
				AdamW(pc.p, p, g, m, v, float32(c.scale), float32(c.lr), float32(c.b1), float32(c.b2), float32(c.eps), float32(c.wd), step)
				bc1 := 1 - math.Pow(c.b1, float64(step))
				bc2 := 1 - math.Pow(c.b2, float64(step))
				for i := range want {
					gi := c.scale * float64(g[i])
					want[i] *= 1 - c.lr*c.wd
					wm[i] = c.b1*wm[i] + (1-c.b1)*gi
					wv[i] = c.b2*wv[i] + (1-c.b2)*gi*gi
					want[i] -= c.lr / bc1 * wm[i] / (math.Sqrt(wv[i])/math.Sqrt(bc2) + c.eps)
				}
			}
			opClose(t, "param", p, opToF32(want), 1e-6)
			if ref == nil {
				ref = p
			} else {
				opSame(t, "param "+pc.name, p, ref)
			}
		}
	}
}

func TestPyFloat(t *testing.T) {
	for _, c := range []struct {
		in   float32
		want float64
	}{{0.999, 0.999}, {0.9, 0.9}, {3e-4, 3e-4}, {1e-8, 1e-8}, {0.1, 0.1}, {1, 1}, {0, 0}, {0.1234567, 0.1234567}} {
		if got := pyFloat(c.in); got != c.want {
			t.Errorf("pyFloat(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func opToF32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}
