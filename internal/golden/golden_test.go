package golden

import (
	"math"
	"testing"
)

func TestRelMaxErrFloor(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want []float32
		floor     float64
		err       float64
	}{
		{"relative to the max-norm", []float32{1.1, -2}, []float32{1, -2}, 0, 0.05},
		{"a floor below the norm changes nothing", []float32{1.1, -2}, []float32{1, -2}, 1, 0.05},
		// Rounding noise against a reference that is itself noise (dq of a
		// one-token sequence): relative to its own norm it is of order one,
		// against the floor it is an absolute error.
		{"noise against noise, no floor", []float32{3e-8}, []float32{-1e-8}, 0, 4},
		{"noise against noise, floored", []float32{3e-8}, []float32{-1e-8}, 1, 4e-8},
		{"zeros, no floor", []float32{2e-3, 0}, []float32{0, 0}, 0, 2e-3},
		{"lengths differ", []float32{1}, []float32{1, 2}, 1, math.Inf(1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := RelMaxErrFloor(c.got, c.want, c.floor)
			if math.IsInf(c.err, 1) {
				if !math.IsInf(e, 1) {
					t.Fatalf("got %v, want +Inf", e)
				}
				return
			}
			if math.Abs(e-c.err) > 1e-6*c.err {
				t.Fatalf("got %v, want %v", e, c.err)
			}
		})
	}
	if e := RelMaxErr([]float32{3e-8}, []float32{-1e-8}); math.Abs(e-4) > 1e-6 {
		t.Fatalf("RelMaxErr of noise against noise: %v, want 4 (no floor)", e)
	}
}
