package data

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMinHeap(t *testing.T) {
	for _, n := range []int{1, 2, 3, 10, 1000} {
		rng := rand.New(rand.NewPCG(uint64(n), 0))
		h := minHeap[int]{less: func(a, b int) bool { return a < b }}
		var want []int
		for range n {
			x := rng.IntN(50)
			h.push(x)
			want = append(want, x)
		}
		slices.Sort(want)
		var got []int
		for len(h.items) > 0 {
			got = append(got, h.pop())
		}
		if !slices.Equal(got, want) {
			t.Errorf("n=%d: popped %v, want %v", n, got, want)
		}
	}
}
