package cpu

import (
	"math"
	"testing"
)

// expVariants runs fn once per implementation of the float32 row kernels
// this machine has, widest first.
func expVariants(t *testing.T, fn func(t *testing.T)) {
	saved := expISA
	defer func() { expISA = saved }()
	names := []string{expGo: "go", expAVX2: "avx2", expAVX512: "avx512"}
	for isa := saved; isa >= expGo; isa-- {
		expISA = isa
		t.Run(names[isa], fn)
	}
}

// ulpDiff is the distance in units in the last place between two finite
// float32 of the same sign.
func ulpDiff(a, b float32) int64 {
	d := int64(math.Float32bits(a)) - int64(math.Float32bits(b))
	if d < 0 {
		d = -d
	}
	return d
}

// expRef is e^x rounded to float32, with the documented edges of exp32.
func expRef(x float32) float32 {
	if x < expLo32 {
		return 0
	}
	return float32(math.Exp(float64(x)))
}

// TestExp32Sweep compares the vector e^x with math.Exp on a dense sweep of
// the float32 values whose e^x is a normal float32: every 61st bit pattern
// of each sign (some 37 million values), plus evenly spaced values. The
// inputs go through in batches to keep the memory small.
func TestExp32Sweep(t *testing.T) {
	const batch = 1 << 16
	sweep := func(yield func(xs []float32)) {
		xs := make([]float32, 0, batch)
		add := func(x float32) {
			if xs = append(xs, x); len(xs) == batch {
				yield(xs)
				xs = xs[:0]
			}
		}
		for b := uint32(0); b <= math.Float32bits(expHi32); b += 61 {
			add(math.Float32frombits(b))
		}
		for b := uint32(0x80000000); b <= math.Float32bits(expLo32); b += 61 {
			add(math.Float32frombits(b))
		}
		for x := float64(expLo32); x <= float64(expHi32); x += 1.0 / 4096 {
			add(float32(x))
		}
		add(expLo32)
		add(expHi32)
		yield(xs)
	}
	got := make([]float32, batch)
	expVariants(t, func(t *testing.T) {
		var worst int64
		var worstX, worstGot float32
		count := 0
		sweep(func(xs []float32) {
			expSubMul32(got, xs, 0, 1)
			for i, x := range xs {
				if d := ulpDiff(got[i], expRef(x)); d > worst {
					worst, worstX, worstGot = d, x, got[i]
				}
			}
			count += len(xs)
		})
		t.Logf("%d inputs, worst error %d ulp at %v", count, worst, worstX)
		if worst > 2 {
			t.Errorf("error %d ulp at e^%v: got %v, want %v", worst, worstX, worstGot, expRef(worstX))
		}
	})
}

func TestExp32Edges(t *testing.T) {
	inf := float32(math.Inf(1))
	cases := []struct {
		x, want float32
		exact   bool // want bit for bit; otherwise within 2 ulp
	}{
		{float32(math.Inf(-1)), 0, true},
		{-1e30, 0, true},
		{-100, 0, true},
		{-87.5, 0, true},
		{math.Nextafter32(expLo32, -100), 0, true},
		{expLo32, float32(math.Exp(float64(expLo32))), false},
		{-10, float32(math.Exp(-10)), false},
		{-1e-30, 1, true},
		{0, 1, true},
		{float32(math.Copysign(0, -1)), 1, true},
		{1, float32(math.E), false},
		{88, float32(math.Exp(88)), false},
		{expHi32, float32(math.Exp(float64(expHi32))), false},
		{math.Nextafter32(expHi32, 100), inf, true},
		{100, inf, true},
		{inf, inf, true},
	}
	expVariants(t, func(t *testing.T) {
		for _, c := range cases {
			for _, n := range []int{1, 8, 19} { // tail lanes and full vectors
				src, dst := make([]float32, n), make([]float32, n)
				for i := range src {
					src[i] = c.x
				}
				expSubMul32(dst, src, 0, 1)
				for _, got := range dst {
					bad := got != c.want
					if !c.exact {
						bad = math.IsInf(float64(got), 0) || ulpDiff(got, c.want) > 2
					}
					if bad {
						t.Errorf("e^%v = %v, want %v", c.x, got, c.want)
						break
					}
				}
			}
		}
		nan := float32(math.NaN())
		dst := make([]float32, 9)
		expSubMul32(dst, []float32{nan, 0, 0, 0, 0, 0, 0, 0, nan}, 0, 1)
		if !math.IsNaN(float64(dst[0])) || !math.IsNaN(float64(dst[8])) || dst[1] != 1 {
			t.Errorf("e^NaN: got %v", dst)
		}
	})
}

// TestExpSubMul checks the shift, the scale and the sum, every tail length,
// and that an element's result does not depend on its place in the slice.
func TestExpSubMul(t *testing.T) {
	rng := opRNG(5)
	expVariants(t, func(t *testing.T) {
		for n := range 41 {
			src := opRand[float32](rng, n)
			for i := range src {
				src[i] *= 20
			}
			const sub, mul = 3.25, 0.375
			dst := make([]float32, n+1)
			dst[n] = 42 // must stay: only len(src) elements are written
			sum := expSubMul32(dst, src, sub, mul)
			var want float64
			one := make([]float32, 1)
			for i, x := range src {
				expSubMul32(one, src[i:i+1], sub, mul)
				if dst[i] != one[0] {
					t.Fatalf("n=%d: element %d is %v in the slice, %v alone", n, i, dst[i], one[0])
				}
				if ref := mul * expRef(x-sub); ulpDiff(dst[i], ref) > 2 {
					t.Fatalf("n=%d: %v*e^(%v-%v) = %v, want %v", n, mul, x, sub, dst[i], ref)
				}
				want += float64(dst[i])
			}
			if dst[n] != 42 {
				t.Fatalf("n=%d: wrote past len(src)", n)
			}
			if math.Abs(sum-want) > 1e-12*math.Max(1, want) {
				t.Errorf("n=%d: sum %v, want %v", n, sum, want)
			}
			// In place.
			expSubMul32(src, src, sub, mul)
			opSame(t, "in place", src, dst[:n])
		}
	})
}

// TestSwiGLURows checks the fused SwiGLU kernels against float64, every
// tail length, saturated gates, that an element's result does not depend on
// its place in the slice, and that nothing past the slice is written.
func TestSwiGLURows(t *testing.T) {
	rng := opRNG(8)
	expVariants(t, func(t *testing.T) {
		for _, n := range []int{0, 1, 5, 8, 15, 16, 17, 31, 40, 203} {
			g, u, d := opRand[float32](rng, n), opRand[float32](rng, n), opRand[float32](rng, n)
			for i := range g {
				g[i] *= 12
			}
			if n > 4 {
				g[0], g[1], g[2], g[3] = -1e4, 1e4, -89, 89 // saturated sigmoids
			}
			out, dg, du := make([]float32, n+1), make([]float32, n+1), make([]float32, n+1)
			out[n], dg[n], du[n] = 42, 42, 42
			swigluFwd32(out, g, u)
			swigluBwd32(dg, du, g, u, d)
			if out[n] != 42 || dg[n] != 42 || du[n] != 42 {
				t.Fatalf("n=%d: wrote past len(gate)", n)
			}
			one := make([]float32, 3)
			for i := range n {
				x, ui, di := float64(g[i]), float64(u[i]), float64(d[i])
				s := 1 / (1 + math.Exp(-x))
				wantOut, wantDu, wantDg := x*s*ui, di*x*s, di*ui*s*(1+x*(1-s))
				// Past |gate| = 88.7 the sigmoid saturates to exactly 0 or 1
				// (e^-gate is +Inf or 0), leaving errors below 1e-35.
				scale := math.Abs(di*ui)*math.Max(1, math.Abs(x)) + 1e-29
				if ga := float64(out[i]); math.Abs(ga-wantOut) > 1e-6*math.Abs(wantOut)+1e-35 {
					t.Errorf("n=%d: out(%v, %v) = %v, want %v", n, g[i], u[i], ga, wantOut)
				}
				if ga := float64(du[i]); math.Abs(ga-wantDu) > 1e-6*math.Abs(wantDu)+1e-35 {
					t.Errorf("n=%d: dup(%v) = %v, want %v", n, g[i], ga, wantDu)
				}
				if ga := float64(dg[i]); math.Abs(ga-wantDg) > 1e-6*scale {
					t.Errorf("n=%d: dgate(%v) = %v, want %v", n, g[i], ga, wantDg)
				}
				swigluFwd32(one[:1], g[i:i+1], u[i:i+1])
				swigluBwd32(one[1:2], one[2:3], g[i:i+1], u[i:i+1], d[i:i+1])
				if one[0] != out[i] || one[1] != dg[i] || one[2] != du[i] {
					t.Fatalf("n=%d: element %d alone gives %v, in the slice %v %v %v",
						n, i, one, out[i], dg[i], du[i])
				}
			}
		}
	})
}

func TestSoftmaxGrad32(t *testing.T) {
	rng := opRNG(4)
	expVariants(t, func(t *testing.T) {
		for n := range 41 {
			p, dp := opRand[float32](rng, n), opRand[float32](rng, n+1)
			dp[n] = 42
			want := make([]float32, n)
			const d = 0.3
			for i := range want {
				want[i] = p[i] * (dp[i] - d)
			}
			softmaxGrad32(dp[:n], p, d)
			opSame(t, "dp", dp[:n], want)
			if dp[n] != 42 {
				t.Fatalf("n=%d: wrote past len(dp)", n)
			}
		}
	})
}

func TestMax32(t *testing.T) {
	expVariants(t, func(t *testing.T) {
		for n := 1; n <= 40; n++ {
			for at := range n {
				x := make([]float32, n)
				for i := range x {
					x[i] = -1e30 - float32(i)
				}
				x[at] = -5
				if got := max32(x); got != -5 {
					t.Fatalf("n=%d, max at %d: got %v", n, at, got)
				}
			}
		}
	})
}

// TestExpISAsAgree checks that the assembly implementations compute every
// element bit for bit alike, so that a result does not depend on which of
// them the CPU picks (the sums may round differently).
func TestExpISAsAgree(t *testing.T) {
	saved := expISA
	defer func() { expISA = saved }()
	if saved < expAVX512 {
		t.Skip("fewer than two assembly implementations on this CPU")
	}
	rng := opRNG(3)
	xs := opRand[float32](rng, 1<<16+13)
	for i := range xs {
		xs[i] *= 120 // past both edges
	}
	xs = append(xs, expLo32, expHi32, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()))
	u := opRand[float32](rng, len(xs))
	run := func(isa int) (e, s, dg, du []float32, sum float64) {
		expISA = isa
		e, s = make([]float32, len(xs)), make([]float32, len(xs))
		dg, du = make([]float32, len(xs)), make([]float32, len(xs))
		sum = expSubMul32(e, xs, 0.75, 1)
		swigluFwd32(s, xs, u)
		swigluBwd32(dg, du, xs, u, u)
		return e, s, dg, du, sum
	}
	e2, s2, dg2, du2, sum2 := run(expAVX2)
	e5, s5, dg5, du5, sum5 := run(expAVX512)
	opSame(t, "exp", e5, e2)
	opSame(t, "swiglu", s5, s2)
	opSame(t, "dgate", dg5, dg2)
	opSame(t, "dup", du5, du2)
	if math.Abs(sum5-sum2) > 1e-12*math.Abs(sum2) {
		t.Errorf("sums %v (avx512) and %v (avx2)", sum5, sum2)
	}
}
