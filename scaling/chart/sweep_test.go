package chart

import (
	"math"
	"math/rand/v2"

	"github.com/plateau-lab/plateau/scaling"
)

// sweep is a synthetic scaling study from a known law, the input every
// chart test draws from: L(N, D) = E + A/N^α + B/D^β with noise, over
// N in [1e5, 1e8] and D in [1e6, 1e9]. The three largest-compute runs are
// held out and, to mimic a limit the law misses, land above it.
type sweep struct {
	curves    []scaling.Curve
	points    []scaling.Point
	frontier  []scaling.Point
	groups    []IsoGroup
	train     []scaling.Point
	heldOut   []scaling.Point
	pred      []Prediction
	predicted []float64 // law(N, D) for each of points
	isHeldOut []bool
}

// The synthetic law's constants.
const (
	sweepE, sweepA, sweepB                 = 1.7, 400.0, 400.0
	sweepAlpha, sweepBeta                  = 0.34, 0.28
	sweepNoise                             = 0.01 // relative
	sweepNLo, sweepNHi, sweepDLo, sweepDHi = 1e5, 1e8, 1e6, 1e9
)

// sweepLaw is the synthetic L(N, D).
func sweepLaw(n, d float64) float64 {
	return sweepE + sweepA/math.Pow(n, sweepAlpha) + sweepB/math.Pow(d, sweepBeta)
}

// sweepOptimal returns the N and D = C/6N that minimise sweepLaw at compute
// c, by golden-section search over ln N.
func sweepOptimal(c float64) (n, d float64) {
	loss := func(x float64) float64 { n := math.Exp(x); return sweepLaw(n, c/(6*n)) }
	a, b := math.Log(1), math.Log(c/6)
	g := (math.Sqrt(5) - 1) / 2
	for range 100 {
		x1, x2 := b-g*(b-a), a+g*(b-a)
		if loss(x1) < loss(x2) {
			b = x2
		} else {
			a = x1
		}
	}
	n = math.Exp((a + b) / 2)
	return n, c / (6 * n)
}

// sweepFrontierLaw is the compute-optimal loss L(C).
func sweepFrontierLaw(c float64) float64 { return sweepLaw(sweepOptimal(c)) }

// newSweep builds the synthetic study, the same every call.
func newSweep() sweep {
	rng := rand.New(rand.NewPCG(1, 2))
	noisy := func(v float64) float64 { return v * (1 + sweepNoise*rng.NormFloat64()) }
	var s sweep
	const sizes, budgets = 7, 5
	for i := range sizes {
		n := logSpace(sweepNLo, sweepNHi, i, sizes)
		c := scaling.Curve{Run: "n" + formatCount(n), Params: n}
		for j := range 40 {
			d := logSpace(sweepDLo/10, sweepDHi, j, 40)
			c.Tokens = append(c.Tokens, d)
			c.Loss = append(c.Loss, noisy(sweepLaw(n, d)))
		}
		s.curves = append(s.curves, c)
		for j := range budgets {
			d := logSpace(sweepDLo, sweepDHi, j, budgets)
			s.points = append(s.points, scaling.Point{Params: n, Tokens: d, Loss: noisy(sweepLaw(n, d))})
		}
	}
	for _, p := range s.points {
		s.predicted = append(s.predicted, sweepLaw(p.Params, p.Tokens))
	}
	s.frontier = paretoFrontier(s.points)
	held := largestCompute(s.points, 3)
	for i, p := range s.points {
		s.isHeldOut = append(s.isHeldOut, held[i])
		if !held[i] {
			s.train = append(s.train, p)
			continue
		}
		pred := s.predicted[i]
		p.Loss = pred * 1.08 // the limit: above the law
		s.points[i] = p
		s.heldOut = append(s.heldOut, p)
		s.pred = append(s.pred, Prediction{Point: p, Pred: pred, Lo: pred * 0.97, Hi: pred * 1.03})
	}
	for i := range budgets {
		s.groups = append(s.groups, isoGroup(logSpace(1e13, 1e17, i, budgets), noisy))
	}
	return s
}

// paretoFrontier returns the points no cheaper point beats.
func paretoFrontier(points []scaling.Point) []scaling.Point {
	var f []scaling.Point
	for _, p := range points {
		best := true
		for _, q := range points {
			if q.Compute() <= p.Compute() && q.Loss < p.Loss {
				best = false
				break
			}
		}
		if best {
			f = append(f, p)
		}
	}
	return f
}

// largestCompute marks the k points of largest compute.
func largestCompute(points []scaling.Point, k int) []bool {
	held := make([]bool, len(points))
	for range k {
		best := -1
		for i, p := range points {
			if !held[i] && (best < 0 || p.Compute() > points[best].Compute()) {
				best = i
			}
		}
		held[best] = true
	}
	return held
}

// isoGroup samples eight runs of compute c around the optimal N and fits
// the parabola in ln N by least squares.
func isoGroup(c float64, noisy func(float64) float64) IsoGroup {
	nOpt, _ := sweepOptimal(c)
	g := IsoGroup{FLOPs: c}
	for i := range 8 {
		n := logSpace(nOpt/30, nOpt*30, i, 8)
		g.Params = append(g.Params, n)
		g.Loss = append(g.Loss, noisy(sweepLaw(n, c/(6*n))))
	}
	// Normal equations of loss = p0 + p1 x + p2 x², solved by Cramer's rule.
	var s [5]float64
	var t [3]float64
	for i, n := range g.Params {
		x := math.Log(n)
		for k := range s {
			s[k] += math.Pow(x, float64(k))
		}
		for k := range t {
			t[k] += g.Loss[i] * math.Pow(x, float64(k))
		}
	}
	m := [3][3]float64{{s[0], s[1], s[2]}, {s[1], s[2], s[3]}, {s[2], s[3], s[4]}}
	det := det3(m)
	for k := range 3 {
		mk := m
		for r := range 3 {
			mk[r][k] = t[r]
		}
		g.Parabola[k] = det3(mk) / det
	}
	g.MinParams = math.Exp(-g.Parabola[1] / (2 * g.Parabola[2]))
	g.Fitted = true
	return g
}

// det3 is the determinant of a 3x3 matrix.
func det3(m [3][3]float64) float64 {
	return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) -
		m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) +
		m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
}
