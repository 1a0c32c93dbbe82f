package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// gemmBenchCase is one GEMM the trainer runs: Gemm's m, n, k and transposes.
type gemmBenchCase struct {
	m, n, k        int
	transA, transB bool
}

// name is the sub-benchmark name: MxNxK/XY with X, Y = N or T.
func (c gemmBenchCase) name() string {
	t := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%dx%dx%d/%s%s", c.m, c.n, c.k, t(c.transA), t(c.transB))
}

// gemmBenchCases returns, for each linear layer (out x in weight W) of the
// models trained, its three GEMMs over 2048 token rows: forward Y = X Wᵀ
// (NT), input gradient dX = dY W (NN) and weight gradient dW = dYᵀ X (TN);
// plus a square 1024³ NN product as a reference point.
func gemmBenchCases() []gemmBenchCase {
	const rows = 2048
	layers := []struct{ out, in int }{
		{128, 128}, {256, 256}, {344, 128}, {128, 344},
		{512, 512}, {704, 256}, {256, 704}, {4096, 512},
	}
	var cs []gemmBenchCase
	for _, l := range layers {
		cs = append(cs,
			gemmBenchCase{m: rows, n: l.out, k: l.in, transB: true},
			gemmBenchCase{m: rows, n: l.in, k: l.out},
			gemmBenchCase{m: l.out, n: l.in, k: rows, transA: true},
		)
	}
	return append(cs, gemmBenchCase{m: 1024, n: 1024, k: 1024})
}

// BenchmarkGemm reports GFLOP/s of plateau's float32 Gemm (OpenBLAS under the
// build tag openblas) and, on the same shapes in the same run, of gonum's
// pure-Go Sgemm.
func BenchmarkGemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	pool := NewPool(0)
	for _, bc := range gemmBenchCases() {
		x := randSlice[float32](rng, bc.m*bc.k)
		y := randSlice[float32](rng, bc.k*bc.n)
		z := make([]float32, bc.m*bc.n)
		flops := 2 * float64(bc.m) * float64(bc.n) * float64(bc.k)
		report := func(b *testing.B) {
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		b.Run("plateau/"+bc.name(), func(b *testing.B) {
			for b.Loop() {
				Gemm(pool, bc.transA, bc.transB, bc.m, bc.n, bc.k, 1, x, y, 0, z)
			}
			report(b)
		})
		b.Run("gonum/"+bc.name(), func(b *testing.B) {
			tA, lda := blas.NoTrans, bc.k
			if bc.transA {
				tA, lda = blas.Trans, bc.m
			}
			tB, ldb := blas.NoTrans, bc.n
			if bc.transB {
				tB, ldb = blas.Trans, bc.k
			}
			var impl gonum.Implementation
			for b.Loop() {
				impl.Sgemm(tA, tB, bc.m, bc.n, bc.k, 1, x, lda, y, ldb, 0, z, bc.n)
			}
			report(b)
		})
	}
}
