package cpu

import (
	"math"
	"testing"
)

func TestRoPETables(t *testing.T) {
	cases := []struct {
		seq, hd int
		theta   float64
		tol     float64 // float32 angle rounding grows with t
	}{
		{1, 2, 10000, 1e-7},
		{7, 8, 10000, 1e-6},
		{1024, 64, 10000, 2e-4},
		{256, 32, 500000, 1e-4},
	}
	for _, c := range cases {
		cos, sin := RoPETables(c.seq, c.hd, c.theta)
		half := c.hd / 2
		if len(cos) != c.seq*half || len(sin) != c.seq*half {
			t.Fatalf("seq %d hd %d: got %d, %d entries", c.seq, c.hd, len(cos), len(sin))
		}
		for tt := range c.seq {
			for i := range half {
				a := float64(tt) / math.Pow(c.theta, float64(2*i)/float64(c.hd))
				gc, gs := float64(cos[tt*half+i]), float64(sin[tt*half+i])
				if math.Abs(gc-math.Cos(a)) > c.tol || math.Abs(gs-math.Sin(a)) > c.tol {
					t.Fatalf("seq %d hd %d (%d,%d): cos, sin = %v, %v; want %v, %v",
						c.seq, c.hd, tt, i, gc, gs, math.Cos(a), math.Sin(a))
				}
			}
			// inv_freq[0] = 1 exactly, so column 0 is the angle t itself.
			if cos[tt*half] != float32(math.Cos(float64(tt))) || sin[tt*half] != float32(math.Sin(float64(tt))) {
				t.Errorf("seq %d hd %d: column 0 at t=%d is not cos/sin(t)", c.seq, c.hd, tt)
			}
		}
	}
	c64, s64 := RoPETablesAs[float64](5, 8, 10000)
	c32, s32 := RoPETables(5, 8, 10000)
	for i := range c32 {
		if c64[i] != float64(c32[i]) || s64[i] != float64(s32[i]) {
			t.Fatalf("RoPETablesAs[float64] differs from RoPETables at %d", i)
		}
	}
}

// naiveRoPE rotates x by angle sign*theta_{t,i} in float64 directly from the tables.
func naiveRoPE(x, cos, sin []float64, seq, heads, hd int, sign float64) []float64 {
	out := make([]float64, len(x))
	half := hd / 2
	for r := range len(x) / (heads * hd) {
		tt := r % seq
		for h := range heads {
			base := r*heads*hd + h*hd
			for i := range half {
				c, s := cos[tt*half+i], sign*sin[tt*half+i]
				a, b := x[base+i], x[base+i+half]
				out[base+i] = a*c - b*s
				out[base+i+half] = b*c + a*s
			}
		}
	}
	return out
}

func TestRoPE(t *testing.T) {
	cases := []struct {
		name                  string
		batch, seq, heads, hd int
	}{
		{"hd4", 2, 5, 3, 4},
		{"hd8 odd seq", 2, 7, 2, 8},
		{"one position", 3, 1, 1, 2},
		{"hd64", 1, 13, 2, 64},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := opRNG(uint64(c.seq*c.hd + c.heads))
			cos, sin := RoPETablesAs[float64](c.seq, c.hd, 10000)
			half := c.hd / 2
			exactCos, exactSin := make([]float64, len(cos)), make([]float64, len(sin))
			for tt := range c.seq {
				for i := range half {
					a := float64(tt) / math.Pow(10000, float64(2*i)/float64(c.hd))
					exactCos[tt*half+i], exactSin[tt*half+i] = math.Cos(a), math.Sin(a)
				}
			}
			n := c.batch * c.seq * c.heads * c.hd
			x := opRand[float64](rng, n)
			R := opRand[float64](rng, n)
			for _, pc := range opPools {
				out := make([]float64, n)
				RoPE(pc.p, out, x, cos, sin, c.seq, c.heads, c.hd, false)
				opClose(t, "forward", out, naiveRoPE(x, cos, sin, c.seq, c.heads, c.hd, 1), 1e-15)
				// The float32-rounded tables have cos^2+sin^2 = 1 only to
				// about 1e-7, so the round trip is that close; with exact
				// float64 tables it is exact to rounding.
				back := make([]float64, n)
				RoPE(pc.p, back, out, cos, sin, c.seq, c.heads, c.hd, true)
				opClose(t, "inverse of forward", back, x, 3e-7)
				RoPE(pc.p, out, x, exactCos, exactSin, c.seq, c.heads, c.hd, false)
				RoPE(pc.p, back, out, exactCos, exactSin, c.seq, c.heads, c.hd, true)
				opClose(t, "inverse of forward, exact tables", back, x, 1e-15)
				RoPE(pc.p, out, x, cos, sin, c.seq, c.heads, c.hd, false)
				inPlace := append([]float64(nil), x...)
				RoPE(pc.p, inPlace, inPlace, cos, sin, c.seq, c.heads, c.hd, false)
				opSame(t, "in place", inPlace, out)
				// The backward of RoPE is RoPE with inverse set.
				dx := make([]float64, n)
				RoPE(pc.p, dx, R, cos, sin, c.seq, c.heads, c.hd, true)
				opCheckGrad(t, "dx/"+pc.name, x, dx, func() float64 {
					o := make([]float64, n)
					RoPE(nil, o, x, cos, sin, c.seq, c.heads, c.hd, false)
					return opDot(o, R)
				})
			}
		})
	}
}

func TestRoPEFloat32RoundTrip(t *testing.T) {
	const seq, heads, hd = 256, 4, 32
	cos, sin := RoPETables(seq, hd, 10000)
	x := opRand[float32](opRNG(5), 2*seq*heads*hd)
	out := make([]float32, len(x))
	RoPE(NewPool(3), out, x, cos, sin, seq, heads, hd, false)
	RoPE(nil, out, out, cos, sin, seq, heads, hd, true)
	opClose(t, "inverse of forward", out, x, 1e-6)
}
