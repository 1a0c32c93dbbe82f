package cpu

import (
	"math"
	"unsafe"
)

// opMinWork is roughly how many elements one parallel chunk should touch, so
// that starting a goroutine stays cheap next to the work it does.
const opMinWork = 1 << 14

// opGrain returns a Pool.For grain for items that each touch per elements,
// so that every chunk covers at least about opMinWork elements.
func opGrain(per int) int {
	if per < 1 {
		per = 1
	}
	if g := opMinWork / per; g > 1 {
		return g
	}
	return 1
}

// Add sets dst[i] = a[i] + b[i] for i < len(dst). dst may alias a or b; a and b
// must hold at least len(dst) elements. It backs residual connections and the
// summing of gradients that reach one tensor along two paths.
func Add[T Float](p *Pool, dst, a, b []T) {
	parallelOn(p, len(dst), opMinWork, addLoop[T]{dst: dst, a: a, b: b})
}

// addLoop is the loop of Add.
type addLoop[T Float] struct{ dst, a, b []T }

func (t *addLoop[T]) run(_, lo, hi int) {
	d := t.dst[lo:hi]
	x, y := t.a[lo:hi], t.b[lo:hi]
	x, y = x[:len(d)], y[:len(d)]
	for i := range d {
		d[i] = x[i] + y[i]
	}
}

// Axpy sets dst[i] += alpha * x[i] for i < len(dst); x must hold at least
// len(dst) elements and must not overlap dst unless it is dst itself. Unlike
// the other kernels it accumulates into dst: that is its purpose.
func Axpy[T Float](p *Pool, dst []T, alpha T, x []T) {
	parallelOn(p, len(dst), opMinWork, axpyLoop[T]{dst: dst, alpha: alpha, x: x})
}

// axpyLoop is the loop of Axpy.
type axpyLoop[T Float] struct {
	dst   []T
	alpha T
	x     []T
}

func (t *axpyLoop[T]) run(_, lo, hi int) { vecAxpy(t.dst[lo:hi], t.alpha, t.x[lo:hi]) }

// vecAxpy sets dst += alpha*x over len(dst) elements (x at least as long).
func vecAxpy[T Float](dst []T, alpha T, x []T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += alpha * x[i]
	}
}

// vecDot returns sum_i a[i]*b[i] over len(a) elements (b at least as long).
// It keeps separate sums of the even and the odd terms, so that the adds do
// not all wait on each other.
func vecDot[T Float](a, b []T) T {
	b = b[:len(a)]
	var e, o T
	for i := 0; i < len(a)-1; i += 2 {
		e += a[i] * b[i]
		o += a[i+1] * b[i+1]
	}
	if n := len(a); n%2 == 1 {
		e += a[n-1] * b[n-1]
	}
	return e + o
}

// expFor returns e^x for a kernel whose element type is T: math.Exp for
// float64, and the faster expApprox for float32, whose error is far below
// float32's own rounding. The float64 kernels thus stay exact to the last
// bits, which the finite-difference tests rely on.
func expFor[T Float](x float64) float64 {
	if unsafe.Sizeof(T(0)) == 4 {
		return expApprox(x)
	}
	return math.Exp(x)
}

// expApprox returns e^x with a relative error below 3e-10 (a two-hundredth of
// float32's unit roundoff) for x in [-708, 709]; smaller x give 0, larger x
// +Inf, and NaN gives NaN. It reduces x = k*ln2 + r with |r| <= ln2/2 and
// evaluates the degree-8 Taylor polynomial of e^r, whose relative truncation
// error is at most (ln2/2)^9/9! * e^(ln2/2) ~ 2.8e-10.
func expApprox(x float64) float64 {
	const (
		log2e = 1 / math.Ln2
		round = 0x1.8p52 // adding then subtracting it rounds to an integer
	)
	if !(x > -708) {
		if x != x {
			return x
		}
		return 0
	}
	if x > 709 {
		return math.Inf(1)
	}
	k := (x*log2e + round) - round
	r := x - k*math.Ln2 // |k| <= 1022, so the rounding of Ln2 costs < 1e-13
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040+r*(1.0/40320))))))))
	return p * math.Float64frombits(uint64(int64(k)+1023)<<52)
}
