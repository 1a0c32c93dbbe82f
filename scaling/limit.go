package scaling

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultHeldOut is the fraction of points, by compute, that RunLimitTest
// holds out when LimitOptions.HeldOut is zero.
const DefaultHeldOut = 1.0 / 3

// minHeldOut is how many held-out points the limit test needs for its
// counts to mean anything.
const minHeldOut = 3

// LimitOptions configure RunLimitTest.
type LimitOptions struct {
	// HeldOut is the fraction of points, the largest by compute, that the
	// laws are fitted without and must predict; 0 means DefaultHeldOut.
	HeldOut float64
	// Entropy is the true entropy H of the data in nats per token, when
	// known (a synthetic source); 0 means unknown.
	Entropy float64
	// E is the irreducible loss fitted on all points with its interval
	// (from BootstrapLaw), for the comparison with Entropy; nil means the
	// training fit's.
	E *Interval
	// HuberDelta is FitLaw's Huber threshold; 0 means DefaultHuberDelta.
	HuberDelta float64
	// Grid is FitLaw's start grid; nil means ChinchillaGrid.
	Grid *StartGrid
	// BinsPerDecade sets the frontier's compute bins; 0 means
	// DefaultBinsPerDecade.
	BinsPerDecade float64
	// Bootstrap sets the resamples behind the prediction intervals.
	Bootstrap BootstrapOptions
	// Workers is how many starts of a grid fit run at once; 0 means
	// GOMAXPROCS.
	Workers int
}

// Where a held-out point lies relative to its prediction interval.
const (
	Above  = "above"  // observed loss above the interval: worse than the law
	Inside = "inside" // within the interval
	Below  = "below"  // observed loss below the interval: better than the law
	// Unknown: no interval, because no bootstrap resample could be fitted.
	Unknown = "unknown"
)

// HeldOutPoint is one held-out point against the law fitted without it.
type HeldOutPoint struct {
	Point   Point   `json:"point"`
	Compute float64 `json:"compute"`
	// Predicted is the loss the training fit predicts, with the
	// prediction interval from refits on resamples of the training points
	// plus the training residual scatter.
	Predicted Interval `json:"predicted"`
	Residual  float64  `json:"residual"` // observed - predicted, nats
	Position  string   `json:"position"` // Above, Inside, Below, or Unknown without an interval
}

// ModelScore is how well one law fits its training data and predicts the
// held-out data, in log loss.
type ModelScore struct {
	Law         string   `json:"law"`  // "saturating", "power" or "broken"
	Data        string   `json:"data"` // "points" (L(N, D)) or "frontier" (L(C))
	Params      int      `json:"params"`
	Train       int      `json:"train"`
	HeldOut     int      `json:"held_out"`
	TrainRMSE   float64  `json:"train_rmse"`
	HeldOutRMSE float64  `json:"held_out_rmse"`
	AIC         *float64 `json:"aic,omitempty"` // n log(RSS/n) + 2k on the training data (Gaussian approximation); absent when RSS = 0
	Converged   bool     `json:"converged"`
	Message     string   `json:"message,omitempty"`
}

// FrontierLaws are the laws fitted to the training part of the
// loss-compute frontier, for plots; a nil law could not be fitted.
type FrontierLaws struct {
	Train      int         `json:"train"`
	HeldOut    int         `json:"held_out"`
	Saturating *ComputeLaw `json:"saturating,omitempty"`
	Power      *ComputeLaw `json:"power,omitempty"`
	Broken     *BrokenLaw  `json:"broken,omitempty"`
}

// EntropyCheck compares the fitted irreducible loss E with the known
// entropy H of the data (see CheckEntropy).
type EntropyCheck struct {
	H          float64  `json:"H"`
	E          Interval `json:"E"`
	Difference float64  `json:"difference"` // E - H, nats
	Relative   float64  `json:"relative"`   // (E - H) / H
	Inside     bool     `json:"inside"`     // H lies in E's interval
	// Outcome is the test's answer: one of the Entropy* constants.
	Outcome string `json:"outcome"`
	// Floors are the per-size floors E_N, for the sizes with enough
	// budgets; see SizeFloor. FloorsFromAbove is whether they all lie
	// above H and fall as N grows.
	Floors          []SizeFloor `json:"floors,omitempty"`
	FloorsFromAbove bool        `json:"floors_from_above"`
}

// Verdict classes, from the held-out points and the model comparison:
const (
	// VerdictBendingAway: significantly more held-out points lie above
	// their prediction intervals than chance allows, and on average they
	// do worse than predicted: the curve bends away from the law, and a
	// limit appears sooner than the law says.
	VerdictBendingAway = "bending-away"
	// VerdictFasterThanLaw: significantly more held-out points lie below
	// their intervals: loss falls faster than the law fitted at small
	// compute predicts.
	VerdictFasterThanLaw = "faster-than-law"
	// VerdictSaturating: the held-out points agree with the law, and the
	// saturating law predicts them at least 10% better (in RMSE) than the
	// pure power law: loss is flattening towards the fitted floor E, as
	// the law says it should.
	VerdictSaturating = "saturating-at-E"
	// VerdictNoLimitYet: the held-out points agree with the law, and a
	// pure power law does as well: no floor or break is visible at this
	// scale.
	VerdictNoLimitYet = "no-limit-yet"
	// VerdictInconclusive: the training fit did not converge or too few
	// resamples could be fitted to trust the intervals.
	VerdictInconclusive = "inconclusive"
)

// saturatingMargin is how much lower (relative) the saturating law's
// held-out RMSE must be than the pure power law's to count as better.
const saturatingMargin = 0.10

// significance is the binomial tail probability below which a count of
// held-out points outside their intervals counts as more than chance.
// The binomial treats the points as independent, but they share one
// fitted law, so the verdict also asks the mean log residual to lie
// outside the range it would have if the law held.
const significance = 0.05

// Verdict is the limit test's classification and the sentences that
// support it, each citing its numbers.
type Verdict struct {
	Class     string   `json:"class"`
	Sentences []string `json:"sentences"`
}

// Summary joins the verdict's sentences into a paragraph.
func (v Verdict) Summary() string {
	s := ""
	for i, x := range v.Sentences {
		if i > 0 {
			s += " "
		}
		s += x
	}
	return s
}

// LimitTest is the outcome of RunLimitTest.
type LimitTest struct {
	TrainPoints   int            `json:"train_points"`
	HeldOutPoints int            `json:"held_out_points"`
	SplitCompute  float64        `json:"split_compute"` // largest training compute
	Law           *LawFit        `json:"law"`           // saturating law on the training points
	PowerLaw      *LawFit        `json:"power_law,omitempty"`
	HeldOut       []HeldOutPoint `json:"held_out"`
	Above         int            `json:"above"`
	Inside        int            `json:"inside"`
	Below         int            `json:"below"`
	AboveP        float64        `json:"above_p"` // chance of this many or more above, if the law held
	BelowP        float64        `json:"below_p"`
	MeanResidual  float64        `json:"mean_residual"` // nats, observed - predicted
	// MeanLogResidual is the mean of log(observed/predicted) over the
	// held-out points, with the range that mean would have (at Level) if
	// the law held: from the same resamples and residual draws as the
	// prediction intervals, so it carries the errors the points share
	// through the fitted law, which the counts do not.
	MeanLogResidual Interval      `json:"mean_log_residual"`
	Scores          []ModelScore  `json:"scores"`
	Frontier        *FrontierLaws `json:"frontier,omitempty"`
	// E is the irreducible loss the verdict cites: LimitOptions.E when
	// given (the fit to all points), else the training fit's, with the
	// interval from the prediction intervals' resamples.
	E         Interval      `json:"E"`
	Entropy   *EntropyCheck `json:"entropy,omitempty"`
	Level     float64       `json:"level"`
	Resamples int           `json:"resamples"`
	Failed    int           `json:"failed"`
	Notes     []string      `json:"notes,omitempty"` // parts that could not be done, and why
	Verdict   Verdict       `json:"verdict"`
}

// splitSizes is how many points RunLimitTest trains on and holds out.
func splitSizes(n int, frac float64) (train, held int) {
	held = int(math.Round(float64(n) * frac))
	return n - held, held
}

// minSplitPoints is the fewest points for which the split leaves enough
// to fit the saturating law and enough to test it.
func minSplitPoints(frac float64) int {
	for n := 1; n < 10000; n++ {
		train, held := splitSizes(n, frac)
		if train >= minPointsFor(5) && held >= minHeldOut {
			return n
		}
	}
	return math.MaxInt
}

// RunLimitTest asks whether loss keeps following the fitted law at the
// largest compute:
//
// (a) It sorts the points by compute, fits the saturating law (FitLaw)
// on the smaller part and predicts each held-out point, with a
// prediction interval from refits on bootstrap resamples of the training
// points plus, per point and resample, a training residual drawn at
// random and scaled up for the five fitted parameters (the scatter of
// single runs). It counts points above, inside and below their
// intervals, gives the binomial chance of counts as large if the law
// held, and sets the held-out points' mean log residual against the
// range the same resamples give it.
//
// (b) On the same split it scores the saturating and the pure power law
// on the points, and the saturating, pure and broken (BrokenLaw) laws
// on the loss-compute frontier (Approach 1's, from the points and the
// curves) split at the same compute: training and held-out RMSE in log
// loss and AIC.
//
// (c) When opt.Entropy is known it compares E with it.
//
// The Verdict classifies the result (see the Verdict constants). Parts
// that cannot be done are recorded in Notes; RunLimitTest fails only when
// the points cannot be split or the training law cannot be fitted.
func RunLimitTest(points []Point, curves []Curve, opt LimitOptions) (*LimitTest, error) {
	frac := opt.HeldOut
	if frac == 0 {
		frac = DefaultHeldOut
	}
	if !(frac > 0 && frac < 1) {
		return nil, fmt.Errorf("limit test: held-out fraction %v, want a number between 0 and 1", opt.HeldOut)
	}
	if !(opt.Entropy == 0 || positiveFinite(opt.Entropy)) {
		return nil, fmt.Errorf("limit test: entropy %v, want 0 (unknown) or a positive finite number of nats per token", opt.Entropy)
	}
	if err := validatePoints(points); err != nil {
		return nil, fmt.Errorf("limit test: %w", err)
	}
	if need := minSplitPoints(frac); len(points) < need {
		train, held := splitSizes(need, frac)
		return nil, fmt.Errorf("limit test: need at least %d points to hold out the largest %.0f%% by compute (%d to fit the 5-parameter law, %d to test it), got %d",
			need, 100*frac, train, held, len(points))
	}
	sorted := append([]Point(nil), points...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Compute() < sorted[j].Compute() })
	nTrain, nHeld := splitSizes(len(sorted), frac)
	train, held := sorted[:nTrain], sorted[nTrain:]
	fitOpt := FitOptions{HuberDelta: opt.HuberDelta, Grid: opt.Grid, Workers: opt.Workers}

	t := &LimitTest{TrainPoints: nTrain, HeldOutPoints: nHeld, SplitCompute: train[nTrain-1].Compute()}
	law, err := FitLaw(train, fitOpt)
	if err != nil {
		return nil, fmt.Errorf("limit test: training points: %w", err)
	}
	t.Law = law
	if !law.Converged {
		t.Notes = append(t.Notes, "saturating law on the training points: "+law.Message)
	}

	// (a) Prediction intervals for the held-out points.
	d, _ := newLawData(train, true) // validated by FitLaw
	starts := refitStarts(law)
	predLog := make([]float64, nHeld)
	for j, p := range held {
		predLog[j] = math.Log(law.Law.Loss(p.Params, p.Tokens))
	}
	// Residuals of a fit are smaller than the noise by about
	// sqrt((n-k)/n); the drawn residuals are scaled back up (Davison and
	// Hinkley's modified residuals, with the mean leverage k/n).
	inflate := math.Sqrt(float64(nTrain) / float64(nTrain-5))
	br := runBootstrap(nTrain, nil, opt.Bootstrap, func(w []float64, rng *rand.Rand) ([]float64, bool) {
		theta, ok := d.refit(w, starts, law.HuberDelta)
		if !ok {
			return nil, false
		}
		// out: E, the simulated mean log residual, then each held-out
		// point's simulated log loss.
		l := lawFromTheta(theta, true)
		out := make([]float64, 2+nHeld)
		out[0] = l.E
		for j, p := range held {
			out[2+j] = math.Log(l.Loss(p.Params, p.Tokens)) + inflate*law.Residuals[rng.IntN(nTrain)]
			out[1] += (out[2+j] - predLog[j]) / float64(nHeld)
		}
		return out, true
	})
	t.Level, t.Resamples, t.Failed = br.level, len(br.reps), br.failed
	if note := failedNote(br.failed, len(br.reps), "bootstrap refits of the training points could not be fitted or did not converge"); note != "" {
		t.Notes = append(t.Notes, "prediction intervals: "+note)
	}
	var sumRes, sumLog float64
	for j, p := range held {
		pred := law.Law.Loss(p.Params, p.Tokens)
		iv := br.interval(2+j, math.Log(pred))
		h := HeldOutPoint{Point: p, Compute: p.Compute(), Predicted: Interval{Value: pred, Lo: math.Exp(iv.Lo), Hi: math.Exp(iv.Hi)}, Residual: p.Loss - pred}
		switch {
		case !iv.HasBounds():
			h.Position = Unknown
		case p.Loss > h.Predicted.Hi:
			h.Position = Above
			t.Above++
		case p.Loss < h.Predicted.Lo:
			h.Position = Below
			t.Below++
		default:
			h.Position = Inside
			t.Inside++
		}
		sumRes += h.Residual
		sumLog += math.Log(p.Loss) - predLog[j]
		t.HeldOut = append(t.HeldOut, h)
	}
	t.MeanResidual = sumRes / float64(nHeld)
	t.MeanLogResidual = br.interval(1, sumLog/float64(nHeld))
	tail := (1 - br.level) / 2
	t.AboveP = binomialTail(t.Above, nHeld, tail)
	t.BelowP = binomialTail(t.Below, nHeld, tail)

	// (b) Model comparison on the points.
	t.Scores = append(t.Scores, pointScore("saturating", law, held))
	pureOpt := fitOpt
	pureOpt.NoE = true
	if pure, err := FitLaw(train, pureOpt); err != nil {
		t.Notes = append(t.Notes, "pure power law on the training points: "+err.Error())
	} else {
		t.PowerLaw = pure
		t.Scores = append(t.Scores, pointScore("power", pure, held))
	}
	// ... and on the frontier.
	t.Frontier, t.Scores, t.Notes = frontierScores(points, curves, t.SplitCompute, law.HuberDelta, opt.BinsPerDecade, t.Scores, t.Notes)

	// (c) E against the entropy.
	t.E = br.interval(0, law.Law.E)
	if opt.E != nil {
		t.E = *opt.E
	}
	if opt.Entropy > 0 {
		e := CheckEntropy(t.E, opt.Entropy)
		e.Floors = sizeFloors(points, law.HuberDelta)
		e.FloorsFromAbove = floorsFromAbove(e.Floors, e.H)
		t.Entropy = &e
	}
	t.Verdict = t.judge()
	return t, nil
}

// binomialTail is the chance of k or more successes in n trials of
// probability p.
func binomialTail(k, n int, p float64) float64 {
	if k <= 0 {
		return 1
	}
	return distuv.Binomial{N: float64(n), P: p}.Survival(float64(k - 1))
}

// pointScore scores a law fitted on the training points against the
// held-out points.
func pointScore(name string, f *LawFit, held []Point) ModelScore {
	s := ModelScore{Law: name, Data: "points", Params: 5, Train: f.Points, HeldOut: len(held),
		TrainRMSE: f.RMSE, Converged: f.Converged, Message: f.Message}
	if f.NoE {
		s.Params = 4
	}
	ss := 0.0
	for _, p := range held {
		r := math.Log(p.Loss) - math.Log(f.Law.Loss(p.Params, p.Tokens))
		ss += r * r
	}
	s.HeldOutRMSE = math.Sqrt(ss / float64(len(held)))
	s.AIC = aic(f.RMSE*f.RMSE*float64(f.Points), f.Points, s.Params)
	return s
}

// aic is n log(RSS/n) + 2k, or nil when RSS is zero.
func aic(rss float64, n, k int) *float64 {
	if !(rss > 0) {
		return nil
	}
	v := float64(n)*math.Log(rss/float64(n)) + 2*float64(k)
	return &v
}

// frontierScores fits the three compute laws to the frontier points at
// compute up to split and scores them on the frontier points beyond it.
func frontierScores(points []Point, curves []Curve, split, delta, bins float64, scores []ModelScore, notes []string) (*FrontierLaws, []ModelScore, []string) {
	fd, err := newFrontierData(points, curves, FrontierOptions{BinsPerDecade: bins})
	if err != nil {
		return nil, scores, append(notes, "frontier comparison: "+err.Error())
	}
	var trC, trL, hoC, hoL []float64
	for _, p := range fd.frontier(nil) {
		if p.Compute <= split {
			trC, trL = append(trC, p.Compute), append(trL, p.Loss)
		} else {
			hoC, hoL = append(hoC, p.Compute), append(hoL, p.Loss)
		}
	}
	if len(hoC) == 0 {
		return nil, scores, append(notes, fmt.Sprintf("frontier comparison: no frontier point lies beyond the training compute %.3g FLOPs", split))
	}
	fl := &FrontierLaws{Train: len(trC), HeldOut: len(hoC)}
	var saturating *computeFit
	for _, kind := range []frontierKind{kindSaturating, kindPower, kindBroken} {
		f, err := fitComputeLaw(kind, trC, trL, delta, saturating)
		if err == nil && !f.finite() {
			err = fmt.Errorf("fit the %s law of loss against compute: a fitted constant overflowed", kind)
		}
		if err != nil {
			notes = append(notes, "frontier comparison: "+err.Error())
			continue
		}
		s := ModelScore{Law: string(kind), Data: "frontier", Params: kind.params(), Train: len(trC), HeldOut: len(hoC),
			TrainRMSE: math.Sqrt(f.trainRSS / float64(len(trC))), Converged: f.out.converged, Message: f.out.message,
			AIC: aic(f.trainRSS, len(trC), kind.params())}
		ss := 0.0
		for i, c := range hoC {
			r := math.Log(hoL[i]) - f.logLoss(c)
			ss += r * r
		}
		s.HeldOutRMSE = math.Sqrt(ss / float64(len(hoC)))
		scores = append(scores, s)
		switch kind {
		case kindSaturating:
			fl.Saturating = &f.power
			saturating = f
		case kindPower:
			fl.Power = &f.power
		case kindBroken:
			fl.Broken = &f.broken
		}
	}
	return fl, scores, notes
}

// finite reports whether every fitted constant is finite.
func (f *computeFit) finite() bool {
	for _, v := range []float64{f.power.E, f.power.A, f.power.Alpha, f.broken.E, f.broken.B, f.broken.C0, f.broken.C1, f.broken.D1, f.broken.F1, f.trainRSS} {
		if !isFinite(v) {
			return false
		}
	}
	return true
}
