package report

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"

	"github.com/plateau-lab/plateau/scaling"
	"github.com/plateau-lab/plateau/scaling/chart"
)

// figure is one plot of the report with the paragraph that explains it.
type figure struct {
	Name    string // file stem under plots/
	Title   string
	Caption string
	build   func() (*plot.Plot, error)
}

// figures lists the report's plots that the input supports, in reading
// order; a plot whose data is missing is left out, and the report says so.
func figures(in Input) (figs []figure, missing []string) {
	a := in.Analysis
	add := func(ok bool, why string, f figure) {
		if ok {
			figs = append(figs, f)
		} else {
			missing = append(missing, f.Title+": "+why)
		}
	}
	add(len(in.Curves) > 0, "no loss curves (points were read from a table)", figure{
		Name: "loss-curves", Title: "Loss curves",
		Caption: "Held-out loss against tokens seen for every run, coloured by model size N" + entropyNote(in.Entropy) + ".",
		build:   func() (*plot.Plot, error) { return chart.LossCurves(in.Curves, in.Entropy) },
	})
	add(in.Entropy > 0, "the data's entropy H is not known (plateau knows it for its synthetic sources only), so the loss above it cannot be drawn", figure{
		Name: "reducible", Title: "Reducible loss L − H",
		Caption: "Each run's final loss above the source's entropy H, against its tokens, log-log: a loss falling as a power law towards H is a straight line here, and a floor above H bends it flat. " +
			"The lines are the fitted L(N, D) − H for each model size" + floorNote(a) + ".",
		build: func() (*plot.Plot, error) {
			var law func(n, d float64) float64
			if a.Law != nil {
				law = a.Law.Fit.Law.Loss
			}
			var floors []scaling.SizeFloor
			if a.Limit != nil && a.Limit.Entropy != nil {
				floors = a.Limit.Entropy.Floors
			}
			return chart.ReducibleLoss(a.Points, in.Entropy, law, floors)
		},
	})
	add(a.Frontier != nil, "Approach 1 could not be fitted", figure{
		Name: "frontier", Title: "Compute frontier",
		Caption: "Final loss of every run against its training compute C = 6ND, the lower envelope (Approach 1) joined, and the loss the fitted L(N, D) reaches at the compute-optimal N and D.",
		build: func() (*plot.Plot, error) {
			var law func(float64) float64
			if a.Law != nil {
				law = optimalLoss(a.Law.Fit.Law)
			}
			return chart.Frontier(a.Points, frontierPoints(a.Frontier), law)
		},
	})
	add(a.IsoFLOP != nil && len(a.IsoFLOP.Profiles) > 0, "no compute budget has runs at three or more model sizes", figure{
		Name: "isoflop", Title: "IsoFLOP profiles",
		Caption: "Loss against N at each compute budget with the parabola in ln N fitted to it (Approach 2); a cross marks each usable minimum.",
		build:   func() (*plot.Plot, error) { return chart.IsoFLOP(isoGroups(a)) },
	})
	add(a.Law != nil, "Approach 3 could not be fitted", figure{
		Name: "contours", Title: "Fitted L(N, D)",
		Caption: "Contours of the fitted L(N, D) = E + A/N^alpha + B/D^beta (Approach 3), the compute-optimal allocation, iso-compute lines and the measured runs.",
		build: func() (*plot.Plot, error) {
			l := a.Law.Fit.Law
			nr, dr := spans(a.Points)
			return chart.Contours(l.Loss, nr, dr, l.Optimal, a.Points)
		},
	})
	lt := a.Limit
	haveLimit := lt != nil && lt.Law != nil && len(lt.HeldOut) > 0
	add(haveLimit, "the limit test could not be run", figure{
		Name: "extrapolation", Title: "Held-out extrapolation",
		Caption: fmt.Sprintf("The law fitted to the runs up to %.3g FLOPs, extrapolated to the largest runs: each held-out run against its prediction and %s bootstrap interval. %s", splitCompute(lt), levelText(lt), lawLineNote(lt)),
		build: func() (*plot.Plot, error) {
			train, held, preds := extrapolation(a.Points, lt)
			return chart.Extrapolation(train, held, preds, optimalLoss(lt.Law.Law))
		},
	})
	add(haveLimit, "the limit test could not be run", figure{
		Name: "residuals", Title: "Residuals",
		Caption: "Observed minus predicted loss (nats/token) of the law fitted to the smaller runs, for training and held-out runs alike: a trend in the held-out runs is the curve bending away from the law.",
		build: func() (*plot.Plot, error) {
			pred, held := residuals(a.Points, lt)
			return chart.Residuals(a.Points, pred, held)
		},
	})
	return figs, missing
}

// optimalLoss is the law's loss at the compute-optimal N and D for each
// compute, the curve the frontier and extrapolation figures draw; nil
// (no curve) when an exponent is not positive, as then there is no
// compute-optimal allocation.
func optimalLoss(l scaling.Law) func(c float64) float64 {
	if !(l.Alpha > 0 && l.Beta > 0) {
		return nil
	}
	return func(c float64) float64 { return l.Loss(l.Optimal(c)) }
}

// lawLineNote explains the extrapolation figure's line, or its absence.
func lawLineNote(lt *scaling.LimitTest) string {
	if lt == nil || lt.Law == nil || optimalLoss(lt.Law.Law) == nil {
		return "No line is drawn: the law fitted to the smaller runs has an exponent that is not positive, so it has no compute-optimal allocation."
	}
	return "The line is the law's loss at the compute-optimal N and D, the least any run of that compute can have by the law; runs away from that allocation sit above it."
}

// floorNote describes the reducible-loss figure's dashed lines, when the
// limit test fitted per-size floors.
func floorNote(a *scaling.Analysis) string {
	if a.Limit == nil || a.Limit.Entropy == nil || len(a.Limit.Entropy.Floors) == 0 {
		return ""
	}
	return "; the dashed levels are each size's own floor E_N − H (L(D) = E_N + B/D^β fitted to its runs alone), which must lie above zero and fall towards it as N grows"
}

func entropyNote(h float64) string {
	if h > 0 {
		return fmt.Sprintf("; the dashed line is the source's entropy H = %.4f nats/token, the lowest loss any model can reach", h)
	}
	return ""
}

func splitCompute(lt *scaling.LimitTest) float64 {
	if lt == nil {
		return math.NaN()
	}
	return lt.SplitCompute
}

func levelText(lt *scaling.LimitTest) string {
	if lt == nil || lt.Level == 0 {
		return "its"
	}
	return fmt.Sprintf("its %.0f%%", 100*lt.Level)
}

// frontierPoints converts Approach 1's envelope to points for the chart.
func frontierPoints(f *scaling.FrontierFit) []scaling.Point {
	out := make([]scaling.Point, len(f.Points))
	for i, p := range f.Points {
		out[i] = scaling.Point{Run: p.Run, Params: p.Params, Tokens: p.Tokens, FLOPs: p.Compute, Loss: p.Loss}
	}
	return out
}

// isoGroups converts Approach 2's profiles to the chart's groups.
func isoGroups(a *scaling.Analysis) []chart.IsoGroup {
	var gs []chart.IsoGroup
	for _, p := range a.IsoFLOP.Profiles {
		g := chart.IsoGroup{FLOPs: p.Compute, Parabola: p.Coef, MinParams: p.NOpt, Fitted: p.Usable}
		for _, i := range p.Points {
			g.Params = append(g.Params, a.Points[i].Params)
			g.Loss = append(g.Loss, a.Points[i].Loss)
		}
		gs = append(gs, g)
	}
	return gs
}

// spans is the range of N and D the contour plot covers: the measured runs
// widened by half a decade on each side.
func spans(points []scaling.Point) (n, d [2]float64) {
	n = [2]float64{math.Inf(1), math.Inf(-1)}
	d = n
	for _, p := range points {
		n = [2]float64{math.Min(n[0], p.Params), math.Max(n[1], p.Params)}
		d = [2]float64{math.Min(d[0], p.Tokens), math.Max(d[1], p.Tokens)}
	}
	w := math.Sqrt(10)
	return [2]float64{n[0] / w, n[1] * w}, [2]float64{d[0] / w, d[1] * w}
}

// extrapolation splits the points into those the limit test trained on
// and those it held out, with the predictions for the latter.
func extrapolation(points []scaling.Point, lt *scaling.LimitTest) (train, held []scaling.Point, preds []chart.Prediction) {
	heldRun := map[scaling.Point]bool{}
	for _, h := range lt.HeldOut {
		heldRun[h.Point] = true
		held = append(held, h.Point)
		lo, hi := h.Predicted.Lo, h.Predicted.Hi
		if !h.Predicted.HasBounds() {
			lo, hi = h.Predicted.Value, h.Predicted.Value
		}
		preds = append(preds, chart.Prediction{Point: h.Point, Pred: h.Predicted.Value, Lo: lo, Hi: hi})
	}
	for _, p := range points {
		if !heldRun[p] {
			train = append(train, p)
		}
	}
	return train, held, preds
}

// residuals is the limit test's prediction for every point and which
// points it held out.
func residuals(points []scaling.Point, lt *scaling.LimitTest) (pred []float64, held []bool) {
	heldRun := map[scaling.Point]bool{}
	for _, h := range lt.HeldOut {
		heldRun[h.Point] = true
	}
	for _, p := range points {
		pred = append(pred, lt.Law.Law.Loss(p.Params, p.Tokens))
		held = append(held, heldRun[p])
	}
	return pred, held
}
