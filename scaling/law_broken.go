package scaling

import "math"

// BrokenLaw is the broken neural scaling law of Caballero et al. 2022
// with one break, as a function of training compute:
//
//	L(C) = E + B C^(-C0) (1 + (C/D1)^(1/F1))^(-C1 F1)
//
// Far below the break D1 the reducible loss falls as C^(-C0); far above
// it as C^(-(C0+C1)); F1 > 0 sets how sharp the turn is. C1 < 0 means
// the curve flattens after the break (a limit appearing), C1 > 0 that it
// steepens. With C1 = 0 it is the saturating power law E + B C^(-C0).
type BrokenLaw struct {
	E  float64 `json:"E"`
	B  float64 `json:"b"`
	C0 float64 `json:"c0"`
	C1 float64 `json:"c1"`
	D1 float64 `json:"d1"`
	F1 float64 `json:"f1"`
}

// Loss is the law's loss at compute c.
func (l BrokenLaw) Loss(c float64) float64 {
	return l.E + l.B*math.Pow(c, -l.C0)*math.Pow(1+math.Pow(c/l.D1, 1/l.F1), -l.C1*l.F1)
}

// brokenModel is BrokenLaw in log space over centred log compute
// x = log(C/Cref), with theta = [log b, c0, c1, log(d1/Cref), log f1,
// log E]: log L = logsumexp(T, log E) with
// T = log b - c0 x - c1 f1 softplus((x - log d1)/f1). The logs keep b,
// d1, f1 and E positive without bounds, and centring keeps log b of
// order one.
type brokenModel struct {
	x []float64
}

func (brokenModel) dim() int { return 6 }

func (m brokenModel) rows() int { return len(m.x) }

func (m brokenModel) predict(theta []float64, i int, grad []float64) float64 {
	lb, c0, c1, ld, lf, e := theta[0], theta[1], theta[2], theta[3], theta[4], theta[5]
	x := m.x[i]
	f := math.Exp(lf)
	u := (x - ld) / f
	sp, s := softplus(u)
	t := [2]float64{lb - c0*x - c1*f*sp, e}
	var w [2]float64
	lse := logSumExp(t[:], w[:])
	grad[0] = w[0]
	grad[1] = -w[0] * x
	grad[2] = -w[0] * f * sp
	grad[3] = w[0] * c1 * s
	grad[4] = -w[0] * c1 * f * (sp - s*u)
	grad[5] = w[1]
	return lse
}

// softplus returns log(1 + e^u) and its derivative, the logistic
// function, without overflow for any u.
func softplus(u float64) (sp, sigmoid float64) {
	if u > 0 {
		z := math.Exp(-u)
		return u + math.Log1p(z), 1 / (1 + z)
	}
	z := math.Exp(u)
	return math.Log1p(z), z / (1 + z)
}

// brokenFromTheta converts the fitted vector back to a BrokenLaw in raw
// compute units: with C = Cref e^x, b C^-c0 = b Cref^c0 (C/Cref)^... so
// B = b Cref^c0, and D1 = Cref e^(log d1).
func brokenFromTheta(theta []float64, lnCref float64) BrokenLaw {
	return BrokenLaw{
		E:  math.Exp(theta[5]),
		B:  math.Exp(theta[0] + theta[1]*lnCref),
		C0: theta[1],
		C1: theta[2],
		D1: math.Exp(theta[3] + lnCref),
		F1: math.Exp(theta[4]),
	}
}
