package cpu

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// TestGemv checks Gemv against a float64 product for batch sizes up to
// GemvMaxRows, widths that leave partial blocks of four rows of B and k that
// is not a multiple of the vector width, for the assembly and the Go dot
// kernels, with and without accumulation, and checks that the pool size does
// not change a bit.
func TestGemv(t *testing.T) {
	shapes := []gemmShape{{1, 1, 1}, {1, 4, 8}, {1, 5, 7}, {2, 37, 33}, {3, 64, 288}, {8, 13, 17}, {1, 768, 288}, {4, 6, 1}, {2, 3, 0}}
	scalars := []struct{ alpha, beta float32 }{{1, 0}, {1, 1}, {0.5, -2}, {0, 3}}
	kernels := []bool{false}
	if gemvAVX2 {
		kernels = append(kernels, true)
	}
	defer func(v bool) { gemvAVX2 = v }(gemvAVX2)
	pool := NewPool(3)
	defer pool.Close()
	r := opRNG(12)
	for _, s := range shapes {
		for _, sc := range scalars {
			for _, asm := range kernels {
				t.Run(fmt.Sprintf("%dx%dx%d/a%v,b%v/asm=%v", s.m, s.n, s.k, sc.alpha, sc.beta, asm), func(t *testing.T) {
					gemvAVX2 = asm
					a, b, c0 := opRand[float32](r, s.m*s.k), opRand[float32](r, s.n*s.k), opRand[float32](r, s.m*s.n)
					if sc.beta == 0 {
						for i := range c0 {
							c0[i] = float32(math.NaN()) // must not be read
						}
					}
					want := make([]float64, s.m*s.n)
					for i := range s.m {
						for j := range s.n {
							var d float64
							for l := range s.k {
								d += float64(a[i*s.k+l]) * float64(b[j*s.k+l])
							}
							want[i*s.n+j] = float64(sc.alpha) * d
							if sc.beta != 0 {
								want[i*s.n+j] += float64(sc.beta) * float64(c0[i*s.n+j])
							}
						}
					}
					serial := slices.Clone(c0)
					Gemv(nil, s.m, s.n, s.k, sc.alpha, a, b, sc.beta, serial)
					par := slices.Clone(c0)
					Gemv(pool, s.m, s.n, s.k, sc.alpha, a, b, sc.beta, par)
					for i, w := range want {
						if d := math.Abs(float64(serial[i]) - w); d > 1e-5*(1+math.Abs(w))*math.Sqrt(float64(s.k+1)) {
							t.Fatalf("c[%d] = %v, want %v", i, serial[i], w)
						}
						if math.Float32bits(par[i]) != math.Float32bits(serial[i]) {
							t.Fatalf("c[%d]: pool of 3 gives %v, one goroutine %v", i, par[i], serial[i])
						}
					}
				})
			}
		}
	}
}
