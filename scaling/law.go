package scaling

import "math"

// Law is the Chinchilla parametric loss L(N, D) = E + A/N^Alpha + B/D^Beta:
// E is the irreducible loss (nats per token, the entropy of the data if the
// family could reach it), A/N^Alpha the loss a model of N parameters keeps
// for being finite, B/D^Beta the loss left by training on only D tokens.
// A pure power law is the same form with E = 0.
type Law struct {
	E     float64 `json:"E"`
	A     float64 `json:"A"`
	Alpha float64 `json:"alpha"`
	B     float64 `json:"B"`
	Beta  float64 `json:"beta"`
}

// Loss is the law's predicted loss for n parameters trained on d tokens.
func (l Law) Loss(n, d float64) float64 {
	return l.E + l.A*math.Pow(n, -l.Alpha) + l.B*math.Pow(d, -l.Beta)
}

// AllocationExponents are the exponents of the compute-optimal split,
// N_opt ∝ C^a and D_opt ∝ C^b with a = beta/(alpha+beta) and
// b = alpha/(alpha+beta); a + b = 1 because C = 6ND. They are NaN when
// alpha + beta is not positive, where no optimum exists.
func (l Law) AllocationExponents() (a, b float64) {
	s := l.Alpha + l.Beta
	if !(s > 0) {
		return math.NaN(), math.NaN()
	}
	return l.Beta / s, l.Alpha / s
}

// Optimal is the compute-optimal split of a budget of c FLOPs under
// C = 6ND: it minimises Loss(n, c/(6n)), which gives
// N_opt = G (C/6)^a with G = (alpha A / (beta B))^(1/(alpha+beta)) and
// D_opt = C/(6 N_opt). Both are NaN when the law has no finite optimum
// (non-positive A, B, alpha or beta) or c is not positive.
func (l Law) Optimal(c float64) (n, d float64) {
	if !(c > 0) || !(l.A > 0) || !(l.B > 0) || !(l.Alpha > 0) || !(l.Beta > 0) {
		return math.NaN(), math.NaN()
	}
	s := l.Alpha + l.Beta
	// Work in logs so that large A, B and budgets neither overflow nor lose
	// precision.
	logG := (math.Log(l.Alpha*l.A) - math.Log(l.Beta*l.B)) / s
	logN := logG + l.Beta/s*math.Log(c/6)
	n = math.Exp(logN)
	return n, c / (6 * n)
}
