package cpu

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGemmPack checks the packing routines the GEMM uses on this
// architecture against the portable ones, over panel widths of every kernel,
// ragged lane counts and step counts that leave remainders.
func TestGemmPack(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, w := range []int{4, 6, 12, 16, 32} {
		for _, cnt := range []int{1, 3, 4, 5, 8, 11, 12, 16, 31, 32} {
			if cnt > w {
				continue
			}
			for _, kc := range []int{1, 7, 8, 9, 16, 61} {
				t.Run(fmt.Sprintf("w%d/cnt%d/kc%d", w, cnt, kc), func(t *testing.T) {
					const off = 3
					ld := max(kc, cnt) + 5
					src := randSlice[float32](rng, off+max(kc, cnt)*ld)
					got := randSlice[float32](rng, kc*w)
					want := make([]float32, kc*w)

					packContig(got, src, off, ld, kc, cnt, w)
					packContigGo(want, src, off, ld, kc, cnt, w)
					if !slices.Equal(got, want) {
						t.Fatalf("packContig differs from packContigGo")
					}
					packStrided(got, src, off, ld, kc, cnt, w)
					packStridedGo(want, src, off, ld, kc, cnt, w)
					if !slices.Equal(got, want) {
						t.Fatalf("packStrided differs from packStridedGo")
					}
					for p := range kc {
						for r := range w {
							var v float32
							if r < cnt {
								v = src[off+r*ld+p]
							}
							if want[p*w+r] != v {
								t.Fatalf("packStridedGo[%d][%d] = %v, want %v", p, r, want[p*w+r], v)
							}
						}
					}
				})
			}
		}
	}
}
