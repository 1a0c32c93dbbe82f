package cpu

import (
	"fmt"
	"testing"
)

// BenchmarkGemv times the products of batch-1 decoding on the stories15M
// shape (dim 288, MLP 768, vocabulary 32000) at 1 and 2 threads; the bytes
// per second are those of the weight matrix, which a decode step streams.
func BenchmarkGemv(b *testing.B) {
	for _, s := range []struct{ n, k int }{{288, 288}, {768, 288}, {288, 768}, {32000, 288}} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%dx%d/threads=%d", s.n, s.k, threads), func(b *testing.B) {
				pool := NewPool(threads)
				defer pool.Close()
				r := opRNG(1)
				x, w, y := opRand[float32](r, s.k), opRand[float32](r, s.n*s.k), make([]float32, s.n)
				b.SetBytes(int64(4 * s.n * s.k))
				for b.Loop() {
					Gemv(pool, 1, s.n, s.k, 1, x, w, 0, y)
				}
			})
		}
	}
}
