package cpu

// SwiGLUForward is the gated activation of a Llama MLP: out = silu(gate)*up
// elementwise, with silu(x) = x*sigmoid(x). gate and up are the outputs of the
// gate and up projections, [rows, ffn]; out is as long as gate, and up must be
// at least as long. The sigmoid is computed in float64.
func SwiGLUForward[T Float](p *Pool, out, gate, up []T) {
	p.For(len(out), opMinWork/4, func(_, lo, hi int) {
		o := out[lo:hi]
		g, u := gate[lo:hi], up[lo:hi]
		g, u = g[:len(o)], u[:len(o)]
		for i := range o {
			x := float64(g[i])
			o[i] = T(x/(1+expFor[T](-x))) * u[i]
		}
	})
}

// SwiGLUBackward is the gradient of SwiGLUForward: with sg = sigmoid(gate),
//
//	dup   = dout * gate*sg
//	dgate = dout * up * sg*(1 + gate*(1-sg))
//
// All slices have the length of dgate (or more).
func SwiGLUBackward[T Float](p *Pool, dgate, dup, gate, up, dout []T) {
	p.For(len(dgate), opMinWork/4, func(_, lo, hi int) {
		dg := dgate[lo:hi]
		du, g, u, d := dup[lo:hi], gate[lo:hi], up[lo:hi], dout[lo:hi]
		du, g, u, d = du[:len(dg)], g[:len(dg)], u[:len(dg)], d[:len(dg)]
		for i := range dg {
			x := float64(g[i])
			sg := 1 / (1 + expFor[T](-x))
			du[i] = d[i] * T(x*sg)
			dg[i] = d[i] * u[i] * T(sg*(1+x*(1-sg)))
		}
	})
}
