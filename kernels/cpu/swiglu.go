package cpu

// SwiGLUForward is the gated activation of a Llama MLP: out = silu(gate)*up
// elementwise, with silu(x) = x*sigmoid(x). gate and up are the outputs of the
// gate and up projections, [rows, ffn]; out is as long as gate, and up must be
// at least as long. float64 computes x/(1+e^-x) with math.Exp; float32 runs
// a fused vector kernel (sigmoid by the vector exp, then the products in
// float32). Each element's result depends on its inputs alone, never on the
// pool size.
func SwiGLUForward[T Float](p *Pool, out, gate, up []T) {
	if is32[T]() {
		swigluForward32(p, asF32(out), asF32(gate), asF32(up))
		return
	}
	parallelOn(p, len(out), opMinWork/4, swigluFwdLoop[T]{out: out, gate: gate, up: up})
}

// swigluFwdLoop is the loop of SwiGLUForward for float64.
type swigluFwdLoop[T Float] struct{ out, gate, up []T }

func (t *swigluFwdLoop[T]) run(_, lo, hi int) {
	o := t.out[lo:hi]
	g, u := t.gate[lo:hi], t.up[lo:hi]
	g, u = g[:len(o)], u[:len(o)]
	for i := range o {
		x := float64(g[i])
		o[i] = T(x/(1+expFor[T](-x))) * u[i]
	}
}

// swigluForward32 is SwiGLUForward for float32.
func swigluForward32(p *Pool, out, gate, up []float32) {
	parallelOn(p, len(out), opMinWork/4, swigluFwdLoop32{out: out, gate: gate, up: up})
}

// swigluFwdLoop32 is the loop of swigluForward32.
type swigluFwdLoop32 struct{ out, gate, up []float32 }

func (t *swigluFwdLoop32) run(_, lo, hi int) {
	swigluFwd32(t.out[lo:hi], t.gate[lo:hi], t.up[lo:hi])
}

// SwiGLUBackward is the gradient of SwiGLUForward: with sg = sigmoid(gate),
//
//	dup   = dout * gate*sg
//	dgate = dout * up * sg*(1 + gate*(1-sg))
//
// All slices have the length of dgate (or more). Precision as in the
// forward.
func SwiGLUBackward[T Float](p *Pool, dgate, dup, gate, up, dout []T) {
	if is32[T]() {
		swigluBackward32(p, asF32(dgate), asF32(dup), asF32(gate), asF32(up), asF32(dout))
		return
	}
	parallelOn(p, len(dgate), opMinWork/4, swigluBwdLoop[T]{dgate: dgate, dup: dup, gate: gate, up: up, dout: dout})
}

// swigluBwdLoop is the loop of SwiGLUBackward for float64.
type swigluBwdLoop[T Float] struct{ dgate, dup, gate, up, dout []T }

func (t *swigluBwdLoop[T]) run(_, lo, hi int) {
	dg := t.dgate[lo:hi]
	du, g, u, d := t.dup[lo:hi], t.gate[lo:hi], t.up[lo:hi], t.dout[lo:hi]
	du, g, u, d = du[:len(dg)], g[:len(dg)], u[:len(dg)], d[:len(dg)]
	for i := range dg {
		x := float64(g[i])
		sg := 1 / (1 + expFor[T](-x))
		du[i] = d[i] * T(x*sg)
		dg[i] = d[i] * u[i] * T(sg*(1+x*(1-sg)))
	}
}

// swigluBackward32 is SwiGLUBackward for float32.
func swigluBackward32(p *Pool, dgate, dup, gate, up, dout []float32) {
	parallelOn(p, len(dgate), opMinWork/4, swigluBwdLoop32{dgate: dgate, dup: dup, gate: gate, up: up, dout: dout})
}

// swigluBwdLoop32 is the loop of swigluBackward32.
type swigluBwdLoop32 struct{ dgate, dup, gate, up, dout []float32 }

func (t *swigluBwdLoop32) run(_, lo, hi int) {
	swigluBwd32(t.dgate[lo:hi], t.dup[lo:hi], t.gate[lo:hi], t.up[lo:hi], t.dout[lo:hi])
}
