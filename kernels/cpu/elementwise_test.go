package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Helpers shared by the op tests (prefixed op to keep them apart from the
// GEMM tests of the same package).

// opRNG returns a deterministic generator for the given seed.
func opRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

// opRand returns n values uniform in [-1, 1).
func opRand[T Float](rng *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(2*rng.Float64() - 1)
	}
	return s
}

// opDot returns sum a[i]*b[i] in float64: the scalar projection L = sum(out*R)
// that turns an op's output into a loss for the finite-difference checks.
func opDot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// opCheckGrad compares the analytic gradient grad of loss with respect to x
// against central differences with step 1e-6, perturbing x in place. The
// tolerance is 1e-6 relative, with an absolute floor of 1e-8 for entries that
// are (nearly) zero, where only the rounding of loss is left.
func opCheckGrad(t *testing.T, name string, x, grad []float64, loss func() float64) {
	t.Helper()
	const h, tol, floor = 1e-6, 1e-6, 1e-8
	if len(x) != len(grad) {
		t.Fatalf("%s: %d inputs but %d gradient entries", name, len(x), len(grad))
	}
	worst := 0.0
	for i := range x {
		old := x[i]
		x[i] = old + h
		lp := loss()
		x[i] = old - h
		lm := loss()
		x[i] = old
		num := (lp - lm) / (2 * h)
		diff := math.Abs(num - grad[i])
		if diff > tol*math.Max(math.Abs(num), math.Abs(grad[i]))+floor {
			t.Errorf("%s[%d]: analytic %.12g, finite difference %.12g", name, i, grad[i], num)
			return
		}
		if m := math.Max(math.Abs(num), math.Abs(grad[i])); m > 1e-3 {
			worst = max(worst, diff/m)
		}
	}
	t.Logf("%s: worst relative error %.2g over %d entries", name, worst, len(x))
}

// opClose fails unless got and want agree to tol relative to max(1, |want|).
func opClose[T Float](t *testing.T, name string, got, want []T, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", name, len(got), len(want))
	}
	for i := range got {
		g, w := float64(got[i]), float64(want[i])
		if math.IsNaN(g) || math.Abs(g-w) > tol*math.Max(1, math.Abs(w)) {
			t.Errorf("%s[%d] = %.12g, want %.12g", name, i, g, w)
			return
		}
	}
}

// opSame fails unless a and b are equal bit for bit.
func opSame[T Float](t *testing.T, name string, a, b []T) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: lengths %d and %d", name, len(a), len(b))
	}
	for i := range a {
		if math.Float64bits(float64(a[i])) != math.Float64bits(float64(b[i])) {
			t.Errorf("%s[%d]: %.9g with one pool, %.9g with another", name, i, a[i], b[i])
			return
		}
	}
}

// opPools are the pools every kernel is run with: serial and three threads
// (more than this machine may have, so chunks really interleave).
var opPools = []struct {
	name string
	p    *Pool
}{{"nil", nil}, {"pool3", NewPool(3)}}

func TestAddAxpy(t *testing.T) {
	for _, n := range []int{0, 1, 7, 3*opMinWork + 5} {
		rng := opRNG(uint64(n))
		a, b := opRand[float32](rng, n), opRand[float32](rng, n)
		alpha := float32(-0.75)
		wantAdd := make([]float32, n)
		wantAxpy := make([]float32, n)
		for i := range wantAdd {
			wantAdd[i] = a[i] + b[i]
			wantAxpy[i] = a[i] + alpha*b[i]
		}
		for _, pc := range opPools {
			dst := make([]float32, n)
			Add(pc.p, dst, a, b)
			opSame(t, "Add", dst, wantAdd)
			copy(dst, a)
			Axpy(pc.p, dst, alpha, b)
			opSame(t, "Axpy", dst, wantAxpy)
			// In place: dst aliases a.
			copy(dst, a)
			Add(pc.p, dst, dst, b)
			opSame(t, "Add in place", dst, wantAdd)
		}
	}
}

func TestVecDot(t *testing.T) {
	for _, n := range []int{0, 1, 3, 4, 5, 8, 33} {
		rng := opRNG(uint64(n))
		a, b := opRand[float64](rng, n), opRand[float64](rng, n+2)
		got := vecDot(a, b)
		want := opDot(a, b[:n])
		if math.Abs(got-want) > 1e-14 {
			t.Errorf("n=%d: vecDot = %v, want %v", n, got, want)
		}
	}
}

func TestExpApprox(t *testing.T) {
	worst := 0.0
	for x := -700.0; x <= 700; x += 0.0137 {
		got, want := expApprox(x), math.Exp(x)
		worst = max(worst, math.Abs(got-want)/want)
	}
	if worst > 3e-10 {
		t.Errorf("worst relative error %.3g, want < 3e-10", worst)
	}
	for _, c := range []struct{ x, want float64 }{
		{0, 1}, {-800, 0}, {math.Inf(-1), 0}, {800, math.Inf(1)}, {math.Inf(1), math.Inf(1)},
	} {
		if got := expApprox(c.x); got != c.want {
			t.Errorf("expApprox(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if got := expApprox(math.NaN()); !math.IsNaN(got) {
		t.Errorf("expApprox(NaN) = %v", got)
	}
	if expFor[float64](0.3) != math.Exp(0.3) || expFor[float32](0.3) != expApprox(0.3) {
		t.Error("expFor picks the wrong exponential")
	}
}
