package scaling

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/optimize"
)

func TestLawOptimalMinimisesLossAtFixedCompute(t *testing.T) {
	laws := []Law{
		{E: 1.69, A: 406.4, Alpha: 0.34, B: 410.7, Beta: 0.28},
		{E: 1.8172, A: 482.01, Alpha: 0.3478, B: 2085.43, Beta: 0.3658},
		{E: 0, A: 50, Alpha: 0.5, B: 9000, Beta: 0.2},
	}
	for _, l := range laws {
		for _, c := range []float64{1e15, 1e18, 1e21, 1e24} {
			n, d := l.Optimal(c)
			if rel := math.Abs(6*n*d/c - 1); rel > 1e-12 {
				t.Errorf("%+v at C=%g: 6ND/C = 1%+.2g, want 1", l, c, rel)
			}
			// Minimise Loss(N, C/6N) over log N numerically and compare.
			res, err := optimize.Minimize(optimize.Problem{Func: func(x []float64) float64 {
				nn := math.Exp(x[0])
				return l.Loss(nn, c/(6*nn))
			}}, []float64{math.Log(n) + 1}, nil, &optimize.NelderMead{})
			if err != nil {
				t.Fatalf("minimise: %v", err)
			}
			if got := math.Exp(res.X[0]); math.Abs(got/n-1) > 1e-3 {
				t.Errorf("%+v at C=%g: Optimal N = %.6g, numerical minimum at %.6g", l, c, n, got)
			}
		}
	}
}

func TestLawAllocationExponents(t *testing.T) {
	for _, tc := range []struct {
		law  Law
		a, b float64
	}{
		{Law{Alpha: 0.34, Beta: 0.28}, 0.28 / 0.62, 0.34 / 0.62},
		{Law{Alpha: 0.5, Beta: 0.5}, 0.5, 0.5},
	} {
		a, b := tc.law.AllocationExponents()
		if math.Abs(a-tc.a) > 1e-15 || math.Abs(b-tc.b) > 1e-15 {
			t.Errorf("%+v: exponents %v, %v; want %v, %v", tc.law, a, b, tc.a, tc.b)
		}
		// The exponent is the slope of log N_opt against log C.
		l := tc.law
		l.A, l.B = 300, 700
		n1, _ := l.Optimal(1e18)
		n2, _ := l.Optimal(1e21)
		if slope := math.Log(n2/n1) / math.Log(1e3); math.Abs(slope-a) > 1e-12 {
			t.Errorf("%+v: slope of N_opt %v, want a = %v", tc.law, slope, a)
		}
	}
}

func TestLawOptimalUndefined(t *testing.T) {
	for _, tc := range []struct {
		law Law
		c   float64
	}{
		{Law{A: 1, B: 1, Alpha: 0, Beta: 0.3}, 1e20},
		{Law{A: 0, B: 1, Alpha: 0.3, Beta: 0.3}, 1e20},
		{Law{A: 1, B: 1, Alpha: 0.3, Beta: 0.3}, -1},
	} {
		if n, d := tc.law.Optimal(tc.c); !math.IsNaN(n) || !math.IsNaN(d) {
			t.Errorf("%+v at C=%g: Optimal = %v, %v; want NaN, NaN", tc.law, tc.c, n, d)
		}
	}
	if a, b := (Law{}).AllocationExponents(); !math.IsNaN(a) || !math.IsNaN(b) {
		t.Errorf("zero law: exponents %v, %v; want NaN", a, b)
	}
}

// The compute-optimal split of Gopher's budget under the law Hoffmann et
// al. 2022 fitted (their Approach 3, with its constants as published,
// rounded; their 40B comes from the unrounded fit).
func ExampleLaw_Optimal() {
	l := Law{E: 1.69, A: 406.4, Alpha: 0.34, B: 410.7, Beta: 0.28}
	n, d := l.Optimal(5.76e23)
	a, b := l.AllocationExponents()
	fmt.Printf("N_opt = %.3g parameters, D_opt = %.3g tokens, loss %.3f\n", n, d, l.Loss(n, d))
	fmt.Printf("N_opt ∝ C^%.2f, D_opt ∝ C^%.2f\n", a, b)
	// Output:
	// N_opt = 3.22e+10 parameters, D_opt = 2.98e+12 tokens, loss 1.931
	// N_opt ∝ C^0.45, D_opt ∝ C^0.55
}
