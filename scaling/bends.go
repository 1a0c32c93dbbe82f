package scaling

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
)

// Bend is where one family's fitted L(N, D) = E + A/N^alpha + B/D^beta
// bends along one axis, at the largest value of the other axis the family
// was trained at. Along D at the largest N, loss falls as a power of D
// while the data term B/D^beta dominates, and flattens towards
// E + A/N^alpha once it does not: Knee is the D where the two are equal,
// (B / (E + A/N^alpha))^(1/beta), where the local exponent
// -d ln L / d ln D has fallen to half of beta. Along N at the largest D
// the same with the roles of N and D swapped. Knee's interval comes from
// the family's bootstrap resamples of the law; Slopes are the local
// exponents measured between adjacent runs along the axis.
type Bend struct {
	Arch  string  `json:"arch"`
	Along string  `json:"along"` // "D" or "N"
	At    float64 `json:"at"`    // the N (along D) or D (along N) held fixed
	// Knee is the D (or N) where the curve bends; its interval leaves
	// out resamples whose law has no bend along the axis (exponent <= 0).
	Knee Interval `json:"knee"`
	// Lo and Hi are the range along the axis the family was trained over
	// at At.
	Lo       float64      `json:"lo"`
	Hi       float64      `json:"hi"`
	Slopes   []LocalSlope `json:"slopes,omitempty"`
	Sentence string       `json:"sentence"`
}

// LocalSlope is -d ln L / d ln x measured between two runs adjacent along
// x (D or N) with the other axis held fixed.
type LocalSlope struct {
	From     float64 `json:"from"`
	To       float64 `json:"to"`
	Exponent float64 `json:"exponent"`
}

// familyBends are a family's bends along D and along N; none when its
// law was not fitted or has no resamples.
func familyBends(arch string, a *Analysis) []Bend {
	if a.Law == nil || a.Law.Intervals == nil || len(a.Points) == 0 {
		return nil
	}
	var maxN, maxD float64
	for _, p := range a.Points {
		maxN, maxD = max(maxN, p.Params), max(maxD, p.Tokens)
	}
	level := a.Law.Intervals.Level
	var out []Bend
	for _, along := range []string{"D", "N"} {
		b := Bend{Arch: arch, Along: along, At: maxN}
		if along == "N" {
			b.At = maxD
		}
		knee := func(s []float64) float64 { return lawKnee(s, along, b.At) }
		full := knee(lawStats(a.Law.Fit.Law))
		var col []float64
		for _, r := range a.Law.reps {
			if k := knee(r); !math.IsNaN(k) {
				col = append(col, k)
			}
		}
		b.Knee = Interval{Value: full, Lo: math.NaN(), Hi: math.NaN()}
		if len(col) >= 2 {
			sort.Float64s(col)
			tail := (1 - level) / 2
			b.Knee.Lo, b.Knee.Hi = quantileSorted(col, tail), quantileSorted(col, 1-tail)
		}
		b.Slopes = measuredSlopes(a.Points, along, b.At)
		if len(b.Slopes) == 0 {
			continue
		}
		b.Lo, b.Hi = b.Slopes[0].From, b.Slopes[len(b.Slopes)-1].To
		b.Sentence = bendSentence(b, level)
		out = append(out, b)
	}
	return out
}

// lawKnee is the knee along D (at N = at) or along N (at D = at) of the
// law whose numbers s are in lawStats order; NaN when the law's exponent
// along the axis is not positive or the knee is not a positive number.
func lawKnee(s []float64, along string, at float64) float64 {
	e, a, alpha, b, beta := s[0], s[1], s[2], s[3], s[4]
	coef, exp, rest := b, beta, e+a*math.Pow(at, -alpha)
	if along == "N" {
		coef, exp, rest = a, alpha, e+b*math.Pow(at, -beta)
	}
	if !(exp > 0) || !(coef > 0) || !(rest > 0) {
		return math.NaN()
	}
	k := math.Pow(coef/rest, 1/exp)
	if !positiveFinite(k) {
		return math.NaN()
	}
	return k
}

// measuredSlopes are the local exponents between the runs adjacent along
// D at N = at, or along N at D = at.
func measuredSlopes(points []Point, along string, at float64) []LocalSlope {
	type xy struct{ x, loss float64 }
	var line []xy
	for _, p := range points {
		switch {
		case along == "D" && p.Params == at:
			line = append(line, xy{p.Tokens, p.Loss})
		case along == "N" && p.Tokens == at:
			line = append(line, xy{p.Params, p.Loss})
		}
	}
	slices.SortFunc(line, func(a, b xy) int { return cmp.Compare(a.x, b.x) })
	var out []LocalSlope
	for i := 1; i < len(line); i++ {
		p, q := line[i-1], line[i]
		if q.x == p.x {
			continue
		}
		out = append(out, LocalSlope{From: p.x, To: q.x, Exponent: -math.Log(q.loss/p.loss) / math.Log(q.x/p.x)})
	}
	return out
}

// bendSentence says where a family's curve bends relative to the range
// it was trained over, from where the knee's interval lies.
func bendSentence(b Bend, level float64) string {
	other, axis := "N", "D"
	if b.Along == "N" {
		other, axis = "D", "N"
	}
	first, last := b.Slopes[0], b.Slopes[len(b.Slopes)-1]
	head := fmt.Sprintf("%s along %s at %s = %.3g: the fitted law bends at %s = %s (%.0f%% interval), against the %.3g to %.3g trained; the measured local exponent is %.3g from %.3g to %.3g and %.3g from %.3g to %.3g",
		familyName(b.Arch), axis, other, b.At, axis, b.Knee, 100*level, b.Lo, b.Hi,
		first.Exponent, first.From, first.To, last.Exponent, last.From, last.To)
	switch {
	case !b.Knee.HasBounds():
		return head + ": the resamples do not place the bend."
	case b.Knee.Lo > b.Hi:
		return head + ": the curve does not bend within the runs; loss still falls as a power of " + axis + " there."
	case b.Knee.Hi < b.Lo:
		return head + ": the curve had bent before the smallest " + axis + "; over the runs loss is flattening towards the rest of the law."
	case b.Knee.Lo >= b.Lo && b.Knee.Hi <= b.Hi:
		return head + ": the curve bends within the runs."
	}
	return head + ": the interval reaches outside the runs, so they do not place the bend precisely."
}

// Knee is the D where the fitted curve bends, (B/E)^(1/beta): where the
// data term has fallen to the floor E and the local exponent to half of
// beta. NaN when the fit has no positive floor or exponent.
func (f *DataFloor) Knee() float64 {
	if f == nil || !(f.E > 0) || !(f.B > 0) || !(f.Beta > 0) {
		return math.NaN()
	}
	return math.Pow(f.B/f.E, 1/f.Beta)
}
