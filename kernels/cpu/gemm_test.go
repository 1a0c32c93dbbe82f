package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gemmShape is one problem size of the GEMM tests: op(A) is m x k, op(B) is
// k x n.
type gemmShape struct{ m, n, k int }

// gemmShapes covers single elements, odd sizes that leave edge tiles in both
// directions, k deeper than one packed block, more rows than one packed block
// of A, more columns than one packed block of B, k == 0, and products big
// enough for each way the parallel float32 GEMM splits its work (k largest;
// more tile rows than columns; more tile columns than rows).
var gemmShapes = []gemmShape{
	{1, 1, 1},
	{7, 13, 5},
	{33, 65, 17},
	{128, 344, 128},
	{1, 40, 3},
	{50, 1, 300},
	{13, 37, 600},
	{500, 20, 10},
	{3, 4100, 2},
	{6, 16, 4},
	{5, 6, 0},
	{40, 50, 1000},
	{300, 70, 150},
	{20, 700, 200},
}

// gemmScalars are the (alpha, beta) pairs tested: plain product, accumulate,
// general scaling, alpha == 0 (C = beta*C) and overwrite with alpha != 1.
var gemmScalars = []struct{ alpha, beta float64 }{
	{1, 0},
	{1, 1},
	{0.5, -2},
	{0, 0.5},
	{-1.5, 0},
}

// gemmFunc is the signature shared by Gemm and the internal float32 entry
// points the tests exercise.
type gemmFunc[T Float] func(p *Pool, transA, transB bool, m, n, k int, alpha T, a, b []T, beta T, c []T)

// gemmRef computes alpha*op(A)*op(B) + beta*C in float64 with a triple loop;
// beta == 0 ignores C.
func gemmRef[T Float](transA, transB bool, m, n, k int, alpha float64, a, b []T, beta float64, c []T) []float64 {
	out := make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				av := a[i*k+p]
				if transA {
					av = a[p*m+i]
				}
				bv := b[p*n+j]
				if transB {
					bv = b[j*k+p]
				}
				s += float64(av) * float64(bv)
			}
			v := alpha * s
			if beta != 0 {
				v += beta * float64(c[i*n+j])
			}
			out[i*n+j] = v
		}
	}
	return out
}

// randSlice returns n values uniform in [-1, 1).
func randSlice[T Float](rng *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(2*rng.Float64() - 1)
	}
	return s
}

// checkGemm runs gemm on every shape, scalar pair, transpose combination and
// pool size, and compares with gemmRef within tol relative to the max-norm
// of the expected result.
func checkGemm[T Float](t *testing.T, gemm gemmFunc[T], tol float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	pools := []*Pool{nil, NewPool(2), NewPool(3)}
	for _, sh := range gemmShapes {
		for _, sc := range gemmScalars {
			for _, trans := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				for pi, pool := range pools {
					name := fmt.Sprintf("%dx%dx%d/a%v_b%v/tA%v_tB%v/pool%d", sh.m, sh.n, sh.k, sc.alpha, sc.beta, trans[0], trans[1], pi)
					t.Run(name, func(t *testing.T) {
						a := randSlice[T](rng, sh.m*sh.k)
						b := randSlice[T](rng, sh.k*sh.n)
						// One guard element past the end of C must survive.
						cg := randSlice[T](rng, sh.m*sh.n+1)
						cg[len(cg)-1] = 42
						c := cg[:sh.m*sh.n]
						if sc.beta == 0 {
							for i := range c {
								c[i] = T(math.NaN())
							}
						}
						want := gemmRef(trans[0], trans[1], sh.m, sh.n, sh.k, sc.alpha, a, b, sc.beta, c)
						gemm(pool, trans[0], trans[1], sh.m, sh.n, sh.k, T(sc.alpha), a, b, T(sc.beta), c)
						if cg[len(c)] != 42 {
							t.Fatalf("wrote past the end of C")
						}
						norm := 1.0
						for _, v := range want {
							norm = max(norm, math.Abs(v))
						}
						for i, w := range want {
							got := float64(c[i])
							if !(math.Abs(got-w) <= tol*norm) {
								t.Fatalf("C[%d][%d] = %v, want %v (tolerance %g)", i/sh.n, i%sh.n, got, w, tol*norm)
							}
						}
					})
				}
			}
		}
	}
}

func TestGemmFloat32(t *testing.T) {
	checkGemm(t, Gemm[float32], 1e-5)
}

func TestGemmFloat64(t *testing.T) {
	checkGemm(t, Gemm[float64], 1e-12)
}

// gemmNamedF32 checks that a named float32 type takes the float32 path over
// the same memory.
type gemmNamedF32 float32

func TestGemmNamedFloat32(t *testing.T) {
	checkGemm(t, Gemm[gemmNamedF32], 1e-5)
}

func TestGemmEmpty(t *testing.T) {
	tests := []struct {
		name    string
		m, n, k int
	}{
		{"m0", 0, 4, 3},
		{"n0", 4, 0, 3},
		{"all0", 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := []float32{7}
			Gemm(NewPool(2), false, false, tc.m, tc.n, tc.k, 1, nil, nil, 0, c[:0])
			if c[0] != 7 {
				t.Fatalf("empty GEMM wrote C")
			}
		})
	}
}
