package scaling

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// limitTestOptions keep the limit tests fast: the coarse grid finds the
// synthetic law's minimum, and 100 resamples give usable intervals.
func limitTestOptions() LimitOptions {
	return LimitOptions{Grid: &coverageGrid, Bootstrap: BootstrapOptions{Resamples: 100, Seed: 1}}
}

// bend multiplies the loss of every point beyond compute c0 by
// exp(k log(C/c0)): k > 0 bends the curve up (a limit), k < 0 down.
func bend(pts []Point, c0, k float64) []Point {
	out := append([]Point(nil), pts...)
	for i, p := range out {
		if c := p.Compute(); c > c0 {
			out[i].Loss *= math.Exp(k * math.Log(c/c0))
		}
	}
	return out
}

func TestRunLimitTestVerdicts(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	lawful := synthPoints(synthLaw, synthNs, synthDs, 0.01, rng)
	pure := synthPoints(Law{A: 60, Alpha: 0.25, B: 300, Beta: 0.2}, synthNs, synthDs, 0.01, rng)
	// The split compute of a 5 x 6 grid: bend only the held-out third.
	split := 1e18
	for _, tc := range []struct {
		name   string
		points []Point
		class  string
	}{
		{"law holds, with a floor", lawful, VerdictSaturating},
		{"pure power law", pure, VerdictNoLimitYet},
		{"bends up", bend(lawful, split, 0.03), VerdictBendingAway},
		{"bends down", bend(lawful, split, -0.03), VerdictFasterThanLaw},
	} {
		lt, err := RunLimitTest(tc.points, nil, limitTestOptions())
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		t.Logf("%s: %s", tc.name, lt.Verdict.Summary())
		if lt.Verdict.Class != tc.class {
			t.Errorf("%s: verdict %q, want %q", tc.name, lt.Verdict.Class, tc.class)
		}
		if lt.TrainPoints != 20 || lt.HeldOutPoints != 10 || lt.Above+lt.Inside+lt.Below != 10 {
			t.Errorf("%s: split %d/%d, counts %d+%d+%d; want 20/10 and counts adding to 10", tc.name, lt.TrainPoints, lt.HeldOutPoints, lt.Above, lt.Inside, lt.Below)
		}
		for _, h := range lt.HeldOut {
			if h.Compute < lt.SplitCompute || !(h.Predicted.Lo < h.Predicted.Value && h.Predicted.Value < h.Predicted.Hi) {
				t.Errorf("%s: held-out point at C %.3g (split %.3g) predicted %v", tc.name, h.Compute, lt.SplitCompute, h.Predicted)
			}
		}
		// Saturating and power on the points, three laws on the frontier,
		// unless the frontier is too short for the broken law, which the
		// notes must then say.
		if len(lt.Scores) != 5 && !(len(lt.Scores) == 4 && lt.Frontier.Train < 7 && strings.Contains(strings.Join(lt.Notes, " "), "broken law of loss against compute: need at least 7 points")) {
			t.Errorf("%s: %d model scores, notes %q", tc.name, len(lt.Scores), lt.Notes)
		}
		for _, s := range lt.Scores {
			if s.Law == "broken" {
				sat := lt.score("saturating", "frontier")
				if s.TrainRMSE > sat.TrainRMSE*(1+1e-6) {
					t.Errorf("%s: the broken law fits its training frontier worse (RMSE %.4g) than the saturating law it contains (%.4g)", tc.name, s.TrainRMSE, sat.TrainRMSE)
				}
			}
		}
		last := lt.Verdict.Sentences[len(lt.Verdict.Sentences)-1]
		if !strings.HasPrefix(last, "Verdict: "+tc.class+": ") {
			t.Errorf("%s: last sentence %q does not state the verdict", tc.name, last)
		}
	}
}

func TestRunLimitTestEntropy(t *testing.T) {
	pts := synthPoints(synthLaw, synthNs, synthDs, 0.01, rand.New(rand.NewPCG(23, 24)))
	for _, tc := range []struct {
		h       float64
		inside  bool
		outcome string
		words   string
	}{
		{synthLaw.E, true, EntropyUninformative, "contains the data's entropy"}, // 1% noise: a wide interval
		{1.0, false, EntropyAbove, "above the data's entropy H = 1"},
		{2.5, false, EntropyBelow, "below the data's entropy H = 2.5"},
	} {
		opt := limitTestOptions()
		opt.Entropy = tc.h
		lt, err := RunLimitTest(pts, nil, opt)
		if err != nil {
			t.Fatal(err)
		}
		e := lt.Entropy
		if e == nil || e.Inside != tc.inside || e.Outcome != tc.outcome || math.Abs(e.Difference-(e.E.Value-tc.h)) > 1e-12 || !strings.Contains(lt.Verdict.Summary(), tc.words) {
			t.Errorf("H = %v: check %+v, summary %q; want inside %v, outcome %s and %q", tc.h, e, lt.Verdict.Summary(), tc.inside, tc.outcome, tc.words)
		}
	}
	// A given E interval (from all points) replaces the training fit's.
	opt := limitTestOptions()
	opt.Entropy = 1.7
	opt.E = &Interval{Value: 1.9, Lo: 1.85, Hi: 1.95}
	lt, err := RunLimitTest(pts, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	if lt.Entropy.E != *opt.E || lt.Entropy.Inside {
		t.Errorf("given E: check %+v", lt.Entropy)
	}
}

func TestRunLimitTestNeedsEnoughPoints(t *testing.T) {
	pts := synthPoints(synthLaw, synthNs[:2], synthDs[:4], 0.01, rand.New(rand.NewPCG(1, 1)))
	_, err := RunLimitTest(pts, nil, limitTestOptions())
	if err == nil || !strings.Contains(err.Error(), "need at least 9 points to hold out the largest 33% by compute (6 to fit the 5-parameter law, 3 to test it), got 8") {
		t.Errorf("8 points: error %v", err)
	}
	opt := limitTestOptions()
	opt.HeldOut = 1.5
	if _, err := RunLimitTest(pts, nil, opt); err == nil || !strings.Contains(err.Error(), "held-out fraction 1.5") {
		t.Errorf("fraction 1.5: error %v", err)
	}
}

// TestRunLimitTestWithoutResamples: with resampling off there are no
// intervals, and the verdict says it cannot judge.
func TestRunLimitTestWithoutResamples(t *testing.T) {
	pts := synthPoints(synthLaw, synthNs, synthDs, 0.01, rand.New(rand.NewPCG(2, 2)))
	opt := limitTestOptions()
	opt.Bootstrap.Resamples = -1
	lt, err := RunLimitTest(pts, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	if lt.Verdict.Class != VerdictInconclusive || lt.HeldOut[0].Position != Unknown || lt.Above+lt.Inside+lt.Below != 0 {
		t.Errorf("no resamples: verdict %q, first position %q, counts %d/%d/%d", lt.Verdict.Class, lt.HeldOut[0].Position, lt.Above, lt.Inside, lt.Below)
	}
}

func TestBinomialTail(t *testing.T) {
	for _, tc := range []struct {
		k, n int
		p    float64
		want float64
	}{
		{0, 10, 0.025, 1},
		{1, 10, 0.025, 1 - math.Pow(0.975, 10)},
		{10, 10, 0.5, math.Pow(0.5, 10)},
	} {
		if got := binomialTail(tc.k, tc.n, tc.p); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("P(X >= %d | %d, %v) = %v, want %v", tc.k, tc.n, tc.p, got, tc.want)
		}
	}
}

func TestBrokenLawLimits(t *testing.T) {
	l := BrokenLaw{E: 1.5, B: 1e3, C0: 0.2, C1: -0.15, D1: 1e20, F1: 0.5}
	// Far from the break the reducible loss follows C^-c0 before and
	// C^-(c0+c1) after.
	slope := func(c float64) float64 {
		return math.Log((l.Loss(c*1.01)-l.E)/(l.Loss(c)-l.E)) / math.Log(1.01)
	}
	if s := slope(1e14); math.Abs(s+l.C0) > 1e-3 {
		t.Errorf("slope before the break %v, want %v", s, -l.C0)
	}
	if s := slope(1e26); math.Abs(s+l.C0+l.C1) > 1e-3 {
		t.Errorf("slope after the break %v, want %v", s, -(l.C0 + l.C1))
	}
	// The fitted parameterisation gives the same law.
	lnCref := math.Log(1e19)
	theta := []float64{math.Log(l.B) - l.C0*lnCref, l.C0, l.C1, math.Log(l.D1) - lnCref, math.Log(l.F1), math.Log(l.E)}
	if got := brokenFromTheta(theta, lnCref); math.Abs(got.B/l.B-1) > 1e-12 || math.Abs(got.D1/l.D1-1) > 1e-12 {
		t.Errorf("brokenFromTheta = %+v, want %+v", got, l)
	}
	for _, c := range []float64{1e15, 1e20, 1e24} {
		pred := brokenModel{x: []float64{math.Log(c) - lnCref}}.predict(theta, 0, make([]float64, 6))
		if math.Abs(pred-math.Log(l.Loss(c))) > 1e-12 {
			t.Errorf("C %.0e: model log loss %v, law %v", c, pred, math.Log(l.Loss(c)))
		}
	}
}

// BenchmarkLimitCalibration measures how often the limit test calls a
// lawful sweep bending away or faster than the law (false alarms), and
// how often it catches a bend of k in log loss per e-fold of compute
// beyond 1e18 FLOPs, over 40 synthetic draws each:
// go test ./scaling -run XXX -bench LimitCalibration -benchtime 1x
func BenchmarkLimitCalibration(b *testing.B) {
	pure := Law{A: 60, Alpha: 0.25, B: 300, Beta: 0.2}
	for i := 0; i < b.N; i++ {
		for _, tc := range []struct {
			name string
			law  Law
			k    float64
			hit  string
		}{
			{"false-alarm-floor", synthLaw, 0, ""},
			{"false-alarm-pure", pure, 0, ""},
			{"detect-up-0.01", synthLaw, 0.01, VerdictBendingAway},
			{"detect-up-0.02", synthLaw, 0.02, VerdictBendingAway},
			{"detect-down-0.01", synthLaw, -0.01, VerdictFasterThanLaw},
		} {
			const draws = 40
			n := 0
			for r := 0; r < draws; r++ {
				pts := bend(synthPoints(tc.law, synthNs, synthDs, 0.01, rand.New(rand.NewPCG(99, uint64(r)))), 1e18, tc.k)
				opt := limitTestOptions()
				opt.Bootstrap.Seed = uint64(r)
				lt, err := RunLimitTest(pts, nil, opt)
				if err != nil {
					b.Fatal(err)
				}
				c := lt.Verdict.Class
				if (tc.hit == "" && (c == VerdictBendingAway || c == VerdictFasterThanLaw)) || (tc.hit != "" && c == tc.hit) {
					n++
				}
			}
			b.ReportMetric(float64(n)/draws, tc.name)
		}
	}
}

// TestClassifyImplausibleExponents: a law that converged but with an
// exponent no language model has (loss that does not depend on N at this
// scale lets alpha run off) is not extrapolated from.
func TestClassifyImplausibleExponents(t *testing.T) {
	for _, c := range []struct {
		alpha, beta float64
		want        string
	}{
		{14.2, 0.3, VerdictInconclusive},
		{0.3, -0.01, VerdictInconclusive},
		{0, 0.3, VerdictInconclusive},
		{0.34, 0.28, VerdictNoLimitYet},
	} {
		lt := &LimitTest{
			HeldOutPoints: 4, Inside: 4, Resamples: 100, AboveP: 1, BelowP: 1,
			Law: &LawFit{Converged: true, Law: Law{E: 1.7, A: 400, Alpha: c.alpha, B: 400, Beta: c.beta}},
		}
		if got, why := lt.classify(nil, nil); got != c.want {
			t.Errorf("alpha %g, beta %g: verdict %q (%s), want %q", c.alpha, c.beta, got, why, c.want)
		}
	}
}
