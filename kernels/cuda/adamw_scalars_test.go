package cuda

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plateau-lab/plateau/kernels/cpu"
)

// adamWStep is adamw.cu's element update in Go, each operation rounded to
// float32 as the kernel's __f*_rn intrinsics round it.
func adamWStep(s cpu.AdamWScalars, p, g, m, v []float32, scale, beta2, eps float32) {
	for i := range p {
		gi := float32(scale * g[i])
		x := float32(p[i] * s.Decay)
		mi := m[i]
		if s.W1 < 0.5 {
			mi = mi + float32(s.W1*float32(gi-mi))
		} else {
			mi = gi - float32(float32(gi-mi)*float32(1-s.W1))
		}
		vi := float32(v[i]*beta2) + float32(float32(s.W2*gi)*gi)
		denom := float32(float32(math.Sqrt(float64(vi)))/s.BC2Sqrt) + eps
		p[i] = x + float32(float32(s.NegStep*mi)/denom)
		m[i], v[i] = mi, vi
	}
}

// TestAdamWScalarsMatchCPU runs the kernel's arithmetic with the scalars
// the device passes it and requires the CPU device's AdamW, bit for bit, over
// several steps and hyperparameters (w1 on both sides of 0.5).
func TestAdamWScalarsMatchCPU(t *testing.T) {
	pool := cpu.NewPool(1)
	defer pool.Close()
	r := rand.New(rand.NewPCG(3, 4))
	cases := []struct{ lr, b1, b2, eps, wd, scale float32 }{
		{3e-4, 0.9, 0.95, 1e-8, 0.1, 1},
		{1e-3, 0.9, 0.999, 1e-8, 0, 0.25},
		{6e-4, 0.3, 0.99, 1e-6, 0.01, 0.5}, // w1 = 0.7 >= 0.5: the other lerp branch
	}
	const n = 257
	for _, c := range cases {
		p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i] = float32(r.NormFloat64())
		}
		pc, mc, vc := append([]float32(nil), p...), make([]float32, n), make([]float32, n)
		for step := 1; step <= 5; step++ {
			for i := range g {
				g[i] = float32(r.NormFloat64() * 0.1)
			}
			cpu.AdamW(pool, pc, g, mc, vc, c.scale, c.lr, c.b1, c.b2, c.eps, c.wd, step)
			adamWStep(cpu.NewAdamWScalars(c.lr, c.b1, c.b2, c.wd, step), p, g, m, v, c.scale, c.b2, c.eps)
			for i := range p {
				if p[i] != pc[i] || m[i] != mc[i] || v[i] != vc[i] {
					t.Fatalf("lr %v beta1 %v step %d element %d: p, m, v = %v %v %v; CPU %v %v %v",
						c.lr, c.b1, step, i, p[i], m[i], v[i], pc[i], mc[i], vc[i])
				}
			}
		}
	}
}
