package scaling

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// minResampleShare is the share of bootstrap resamples that must be
// fitted for the prediction intervals to be trusted.
const minResampleShare = 0.5

// maxExponent bounds the exponents alpha and beta a law may have for its
// extrapolation to be judged: published fits of language models put them
// between about 0.05 and 0.8, and the fits start from a grid up to 2. A
// fit far outside means the runs cannot tell N's or D's effect apart from
// the floor, as happens when every size reaches about the same loss.
const maxExponent = 2.5

// plausibleExponent reports whether a fitted exponent lies in (0, maxExponent].
func plausibleExponent(x float64) bool { return x > 0 && x <= maxExponent }

// judge classifies the test (see the Verdict constants) and writes the
// sentences behind it.
func (t *LimitTest) judge() Verdict {
	var s []string
	m := t.HeldOutPoints
	tail := (1 - t.Level) / 2
	l := t.Law.Law
	s = append(s, fmt.Sprintf("Fitted on the %d points up to %.3g FLOPs, the saturating law L = %.4g + %.4g/N^%.3f + %.4g/D^%.3f predicts the %d held-out points up to %.3g FLOPs: %d lie above their %.0f%% prediction intervals, %d inside and %d below (if the law held, about %.1f would lie above and %.1f below); the mean residual is %+.3g nats (observed minus predicted).",
		t.TrainPoints, t.SplitCompute, l.E, l.A, l.Alpha, l.B, l.Beta, m, t.HeldOut[m-1].Compute,
		t.Above, 100*t.Level, t.Inside, t.Below, tail*float64(m), tail*float64(m), t.MeanResidual))
	if mr := t.MeanLogResidual; mr.HasBounds() {
		s = append(s, fmt.Sprintf("Their mean log residual is %+.3g, against %+.3g to %+.3g if the law held.", mr.Value, mr.Lo, mr.Hi))
	}

	sat, pow := t.score("saturating", "points"), t.score("power", "points")
	if sat != nil && pow != nil {
		better, worse, ratio := "saturating", "pure power", pow.HeldOutRMSE/sat.HeldOutRMSE
		if pow.HeldOutRMSE < sat.HeldOutRMSE {
			better, worse, ratio = "pure power", "saturating", sat.HeldOutRMSE/pow.HeldOutRMSE
		}
		s = append(s, fmt.Sprintf("On the held-out points the RMSE in log loss is %.3g for the saturating law and %.3g for the pure power law: the %s law extrapolates %s the %s law.",
			sat.HeldOutRMSE, pow.HeldOutRMSE, better, timesBetter(ratio), worse))
	}
	if fs := t.frontierScores(); len(fs) > 0 {
		parts := make([]string, len(fs))
		for i, f := range fs {
			parts[i] = fmt.Sprintf("%s %.3g", f.Law, f.HeldOutRMSE)
		}
		sentence := fmt.Sprintf("On the loss-compute frontier (%d training, %d held-out points) the held-out RMSE in log loss is %s", t.Frontier.Train, t.Frontier.HeldOut, strings.Join(parts, ", "))
		if len(fs) > 1 {
			sentence += fmt.Sprintf(": the %s law extrapolates best, %s the %s law", fs[0].Law, timesBetter(fs[1].HeldOutRMSE/fs[0].HeldOutRMSE), fs[1].Law)
		}
		s = append(s, sentence+".")
		if b := t.Frontier.Broken; b != nil {
			turn := "steepens"
			if b.C1 < 0 {
				turn = "flattens"
			}
			s = append(s, fmt.Sprintf("The broken law's reducible loss %s at C = %.3g FLOPs, its exponent going from %.3f to %.3f.", turn, b.D1, b.C0, b.C0+b.C1))
		}
	}
	if e := t.Entropy; e != nil {
		s = append(s, entropySentence(e))
		if f := floorSentence(e.Floors, e.H); f != "" {
			s = append(s, f)
		}
	} else {
		s = append(s, unknownEntropySentence(t.E))
	}

	class, why := t.classify(sat, pow)
	s = append(s, fmt.Sprintf("Verdict: %s: %s.", class, why))
	return Verdict{Class: class, Sentences: s}
}

// classify picks the verdict class and says why in a clause.
func (t *LimitTest) classify(sat, pow *ModelScore) (class, why string) {
	m := t.HeldOutPoints
	total := t.Resamples + t.Failed
	mean := t.MeanLogResidual
	aboveSig := t.AboveP < significance && t.Above > t.Below && mean.HasBounds() && mean.Value > mean.Hi
	belowSig := t.BelowP < significance && t.Below > t.Above && mean.HasBounds() && mean.Value < mean.Lo
	switch {
	case !t.Law.Converged:
		return VerdictInconclusive, "the saturating law fitted to the training points did not converge (" + t.Law.Message + ")"
	case !plausibleExponent(t.Law.Law.Alpha) || !plausibleExponent(t.Law.Law.Beta):
		return VerdictInconclusive, fmt.Sprintf("the saturating law fitted to the training points has alpha = %.3g and beta = %.3g, outside the (0, %g] where measured language-model exponents lie: the runs do not pin down how loss depends on N or D at this scale, so the law's extrapolation says little (more model sizes, or more tokens per size, would)",
			t.Law.Law.Alpha, t.Law.Law.Beta, maxExponent)
	case total == 0 || float64(t.Resamples) < minResampleShare*float64(total):
		return VerdictInconclusive, fmt.Sprintf("only %d of %d bootstrap resamples could be fitted, too few to trust the prediction intervals", t.Resamples, total)
	case t.AboveP < significance && t.BelowP < significance && t.Above > 1 && t.Below > 1:
		return VerdictInconclusive, fmt.Sprintf("%d held-out points lie above and %d below their intervals, both more than chance: the points scatter more than the intervals allow", t.Above, t.Below)
	case aboveSig:
		return VerdictBendingAway, fmt.Sprintf("%d of %d held-out points lie above their intervals (chance %.2g if the law held) and their mean log residual %+.3g is above the %+.3g to %+.3g the law allows: loss at the largest compute is higher than the law predicts, so a limit appears sooner than the law says",
			t.Above, m, t.AboveP, mean.Value, mean.Lo, mean.Hi)
	case belowSig:
		return VerdictFasterThanLaw, fmt.Sprintf("%d of %d held-out points lie below their intervals (chance %.2g if the law held) and their mean log residual %+.3g is below the %+.3g to %+.3g the law allows: loss falls faster at large compute than the law fitted at small compute predicts",
			t.Below, m, t.BelowP, mean.Value, mean.Lo, mean.Hi)
	case sat != nil && pow != nil && sat.HeldOutRMSE < (1-saturatingMargin)*pow.HeldOutRMSE:
		return VerdictSaturating, fmt.Sprintf("the held-out points agree with the law, and the saturating law predicts them %s the pure power law: loss is flattening towards the floor E = %s nats",
			timesBetter(pow.HeldOutRMSE/sat.HeldOutRMSE), t.E)
	default:
		clause := "the held-out points agree with the law"
		if sat != nil && pow != nil {
			clause += fmt.Sprintf(" and the pure power law predicts them as well as the saturating one (RMSE %.3g against %.3g)", pow.HeldOutRMSE, sat.HeldOutRMSE)
		}
		return VerdictNoLimitYet, clause + ": no floor or break shows at this scale"
	}
}

// timesBetter phrases an RMSE ratio as a comparison: "1.8 times better
// than" or, within 1%, "about as well as".
func timesBetter(ratio float64) string {
	if math.Abs(ratio-1) < 0.01 || !isFinite(ratio) {
		return "about as well as"
	}
	return fmt.Sprintf("%.2f times better than", ratio)
}

// score finds a model score by law and data.
func (t *LimitTest) score(law, data string) *ModelScore {
	for i := range t.Scores {
		if t.Scores[i].Law == law && t.Scores[i].Data == data {
			return &t.Scores[i]
		}
	}
	return nil
}

// frontierScores are the frontier scores, best held-out RMSE first.
func (t *LimitTest) frontierScores() []ModelScore {
	var out []ModelScore
	for _, s := range t.Scores {
		if s.Data == "frontier" {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].HeldOutRMSE < out[j].HeldOutRMSE })
	return out
}
