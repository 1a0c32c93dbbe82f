package cpu

import "math"

// RoPETables returns the rotary position embedding tables cos and sin, each
// [seq, hd/2] row-major: entry (t, i) is the cosine or sine of the angle
// t * inv_freq[i] with inv_freq[i] = 1/theta^(2i/hd).
//
// The arithmetic follows Hugging Face's Llama rotary embedding in float32, so
// that a model trained here sees the angles the PyTorch model would: the
// exponent 2i/hd is a float32 division, theta^exponent is rounded to float32
// (computed in float64 first, which is at least as exact as PyTorch's float32
// pow), inv_freq is its float32 reciprocal, and the angle is the float32
// product float32(t)*inv_freq. cos and sin of that float32 angle are computed
// in float64 and rounded, i.e. correctly rounded up to float64's own error.
// Hugging Face stores the tables duplicated to width hd; the duplicate half is
// left out here since RoPE reads column i for both halves of the head.
// hd must be even; seq and hd must be positive.
func RoPETables(seq, hd int, theta float64) (cos, sin []float32) {
	half := hd / 2
	if seq <= 0 || half <= 0 {
		return nil, nil
	}
	invFreq := make([]float32, half)
	base := float32(theta)
	for i := range invFreq {
		e := float32(2*i) / float32(hd)
		pw := float32(math.Pow(float64(base), float64(e)))
		invFreq[i] = 1 / pw
	}
	cos = make([]float32, seq*half)
	sin = make([]float32, seq*half)
	for t := range seq {
		c := cos[t*half : (t+1)*half]
		s := sin[t*half : (t+1)*half]
		for i, f := range invFreq {
			a := float64(float32(t) * f)
			c[i] = float32(math.Cos(a))
			s[i] = float32(math.Sin(a))
		}
	}
	return cos, sin
}

// RoPETablesAs is RoPETables with the tables converted to element type T, for
// kernels instantiated at float64 (the tests) as well as float32. The values
// are the float32 ones, widened exactly.
func RoPETablesAs[T Float](seq, hd int, theta float64) (cos, sin []T) {
	c32, s32 := RoPETables(seq, hd, theta)
	cos = make([]T, len(c32))
	sin = make([]T, len(s32))
	for i := range c32 {
		cos[i] = T(c32[i])
		sin[i] = T(s32[i])
	}
	return cos, sin
}

// RoPE applies rotary position embeddings in Hugging Face's rotate-half form.
// x and out are [rows, heads*hd] (rows = len(x)/(heads*hd)); head h of a row
// occupies columns h*hd..(h+1)*hd, and the row sits at position t = row % seq.
// With half = hd/2, c = cos[t,i] and s = sin[t,i] from the [seq, half] tables,
// for every i < half:
//
//	out[i]      = x[i]*c      - x[i+half]*s
//	out[i+half] = x[i+half]*c + x[i]*s
//
// inverse negates s, rotating by the opposite angle. The rotation is
// orthogonal, so the inverse is its transpose and RoPE with inverse set is
// exactly the backward pass of RoPE without it. out may be x itself (in
// place) but must not overlap it otherwise. hd must be even.
func RoPE[T Float](p *Pool, out, x, cos, sin []T, seq, heads, hd int, inverse bool) {
	half := hd / 2
	width := heads * hd
	if width <= 0 || seq <= 0 || half <= 0 {
		return
	}
	rows := len(x) / width
	parallelOn(p, rows, opGrain(width), ropeLoop[T]{out: out, x: x, cos: cos, sin: sin,
		seq: seq, heads: heads, hd: hd, inverse: inverse})
}

// ropeLoop is the loop of RoPE over rows.
type ropeLoop[T Float] struct {
	out, x, cos, sin []T
	seq, heads, hd   int
	inverse          bool
}

func (l *ropeLoop[T]) run(_, lo, hi int) {
	hd := l.hd
	half, width := hd/2, l.heads*hd
	for r := lo; r < hi; r++ {
		t := r % l.seq
		c := l.cos[t*half : (t+1)*half]
		s := l.sin[t*half : (t+1)*half]
		xr := l.x[r*width : (r+1)*width]
		or := l.out[r*width : (r+1)*width]
		for h := range l.heads {
			x0 := xr[h*hd : h*hd+half]
			x1 := xr[h*hd+half : (h+1)*hd]
			o0 := or[h*hd : h*hd+half]
			o1 := or[h*hd+half : (h+1)*hd]
			rotateHalf(o0, o1, x0, x1, c, s, l.inverse)
		}
	}
}

// rotateHalf rotates the pairs (x0[i], x1[i]) by the angles whose cosines and
// sines are c[i] and s[i] (by their negatives when inverse), writing o0, o1.
// All slices have the length of o0; the o's may be the x's.
func rotateHalf[T Float](o0, o1, x0, x1, c, s []T, inverse bool) {
	n := len(o0)
	o1, x0, x1, c, s = o1[:n], x0[:n], x1[:n], c[:n], s[:n]
	if inverse {
		for i := range o0 {
			a, b := x0[i], x1[i]
			o0[i] = a*c[i] + b*s[i]
			o1[i] = b*c[i] - a*s[i]
		}
		return
	}
	for i := range o0 {
		a, b := x0[i], x1[i]
		o0[i] = a*c[i] - b*s[i]
		o1[i] = b*c[i] + a*s[i]
	}
}
