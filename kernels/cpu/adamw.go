package cpu

import (
	"math"
	"strconv"
)

// sumChunk is the fixed block size SumSquares reduces in; partial sums are
// combined in block order, so the result does not depend on the pool size.
const sumChunk = 1 << 14

// SumSquares returns sum_i x[i]^2 in float64, for the global gradient norm
// that clipping needs. x is cut into fixed blocks of sumChunk elements whose
// float64 partial sums are added in order, so the result is the same bit for
// bit for any pool size.
func SumSquares[T Float](p *Pool, x []T) float64 {
	n := (len(x) + sumChunk - 1) / sumChunk
	if n == 0 {
		return 0
	}
	ws := p.acquire()
	defer p.release(ws)
	ws.sums = growFloat64(ws.sums, n)
	parts := ws.sums
	parallel(ws, n, 1, sumSquaresLoop[T]{parts: parts, x: x})
	var s float64
	for _, v := range parts {
		s += v
	}
	return s
}

// sumSquaresLoop is the loop of SumSquares over blocks: parts[c] is the sum
// of squares of block c.
type sumSquaresLoop[T Float] struct {
	parts []float64
	x     []T
}

func (t *sumSquaresLoop[T]) run(_, lo, hi int) {
	x := t.x
	for c := lo; c < hi; c++ {
		blk := x[c*sumChunk : min((c+1)*sumChunk, len(x))]
		var s0, s1 float64
		for len(blk) >= 2 {
			a, b := float64(blk[0]), float64(blk[1])
			s0 += a * a
			s1 += b * b
			blk = blk[2:]
		}
		for _, v := range blk {
			s0 += float64(v) * float64(v)
		}
		t.parts[c] = s0 + s1
	}
}

// AdamW does one step of torch.optim.AdamW (single-tensor, non-fused
// implementation) on param with gradient scale*grad, updating the moment
// estimates m and v in place; all four slices have the length of param.
// step counts from 1 (step 0 divides by zero). In the order and float32
// rounding PyTorch uses:
//
//	g      = scale * grad
//	param *= 1 - lr*wd                 (the factor rounded from float64)
//	m      = lerp(m, g, 1-beta1)       (= beta1*m + (1-beta1)*g)
//	v      = v*beta2 + (1-beta2)*g*g
//	param += -step_size * m / (sqrt(v)/sqrt(bc2) + eps)
//
// with bc1 = 1 - beta1^step, bc2 = 1 - beta2^step and step_size = lr/bc1.
// PyTorch holds the hyperparameters as Python floats (float64) and computes
// these scalars, 1-lr*wd, 1-beta1 and 1-beta2 in float64 before the float32
// kernels see them. To reproduce that from float32 arguments, each of lr,
// beta1, beta2 and wd is widened to the shortest decimal that rounds to it
// (0.999 rather than float32(0.999) = 0.99900001287...), which is the Python
// literal it was written as whenever that had at most 7 significant digits.
// lerp follows ATen: a + w*(b-a) for w < 0.5, else b - (b-a)*(1-w).
func AdamW(p *Pool, param, grad, m, v []float32, scale, lr, beta1, beta2, eps, wd float32, step int) {
	s := NewAdamWScalars(lr, beta1, beta2, wd, step)
	parallelOn(p, len(param), opMinWork/4, adamWLoop{param: param, grad: grad, m: m, v: v,
		scale: scale, decay: s.Decay, w1: s.W1, w2: s.W2, beta2: beta2, negStep: s.NegStep, bc2Sqrt: s.BC2Sqrt, eps: eps})
}

// AdamWScalars are the float32 constants of one AdamW step that AdamW
// computes on the host in float64, as PyTorch does; a GPU device passes the
// same values to its kernel so that both devices round every element alike.
type AdamWScalars struct {
	Decay   float32 // 1 - lr*wd
	W1, W2  float32 // 1 - beta1, 1 - beta2
	NegStep float32 // -lr / (1 - beta1^step)
	BC2Sqrt float32 // sqrt(1 - beta2^step)
}

// NewAdamWScalars returns the constants of step (counting from 1), each
// computed from the hyperparameters widened to the decimal literal they were
// written as (see AdamW).
func NewAdamWScalars(lr, beta1, beta2, wd float32, step int) AdamWScalars {
	lr64, wd64 := pyFloat(lr), pyFloat(wd)
	b1, b2 := pyFloat(beta1), pyFloat(beta2)
	bc1 := 1 - math.Pow(b1, float64(step))
	bc2 := 1 - math.Pow(b2, float64(step))
	return AdamWScalars{
		Decay:   float32(1 - lr64*wd64),
		W1:      float32(1 - b1),
		W2:      float32(1 - b2),
		NegStep: float32(-(lr64 / bc1)),
		BC2Sqrt: float32(math.Sqrt(bc2)),
	}
}

// adamWLoop is the loop of AdamW over elements, with its float32 scalars.
type adamWLoop struct {
	param, grad, m, v                                  []float32
	scale, decay, w1, w2, beta2, negStep, bc2Sqrt, eps float32
}

func (t *adamWLoop) run(_, lo, hi int) {
	scale, decay, w1, w2, beta2, negStep, bc2Sqrt, eps := t.scale, t.decay, t.w1, t.w2, t.beta2, t.negStep, t.bc2Sqrt, t.eps
	pr := t.param[lo:hi]
	gr, mr, vr := t.grad[lo:hi], t.m[lo:hi], t.v[lo:hi]
	gr, mr, vr = gr[:len(pr)], mr[:len(pr)], vr[:len(pr)]
	for i := range pr {
		g := scale * gr[i]
		x := pr[i] * decay
		mi := mr[i]
		if w1 < 0.5 {
			mi += w1 * (g - mi)
		} else {
			mi = g - (g-mi)*(1-w1)
		}
		vi := vr[i]*beta2 + w2*g*g
		denom := float32(math.Sqrt(float64(vi)))/bc2Sqrt + eps
		pr[i] = x + negStep*mi/denom
		mr[i], vr[i] = mi, vi
	}
}

// pyFloat widens x to the float64 nearest the shortest decimal that rounds to
// x in float32: the value a Python literal such as 0.999 has before PyTorch
// uses it, where float64(x) would carry x's float32 rounding error instead.
func pyFloat(x float32) float64 {
	f, err := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
	if err != nil {
		return float64(x)
	}
	return f
}
