package chart

import (
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/plateau-lab/plateau/scaling"
)

// Prediction is a fitted law's forecast for one held-out run: the run
// itself (its compute and observed loss), the predicted loss and the
// interval around it (a bootstrap interval, say), all in nats per token.
type Prediction struct {
	Point scaling.Point // the held-out run: its compute places the prediction, its Loss is the outcome
	Pred  float64       // the law's predicted loss
	Lo    float64       // lower end of the interval
	Hi    float64       // upper end of the interval
}

// Extrapolation plots loss against compute, log-log, to show whether the
// largest runs land inside the law's prediction or above it (a limit the
// law misses). Its design:
//
//   - the compute range beyond the largest training run is shaded grey:
//     everything there is extrapolation;
//   - training runs are small blue circles, held-out runs orange diamonds;
//   - law, when not nil, is drawn solid over the training range and dashed
//     over the extrapolated range;
//   - each prediction is a hollow black circle at its run's compute with a
//     capped error bar from Lo to Hi, so the run's orange diamond falls
//     visibly inside or above its bar;
//   - the title counts the held-out runs above (and below) their intervals.
func Extrapolation(train, heldOut []scaling.Point, pred []Prediction, law func(c float64) float64) (*plot.Plot, error) {
	if err := checkExtrapolation(train, heldOut, pred); err != nil {
		return nil, fmt.Errorf("chart: extrapolation: %w", err)
	}
	p := newPlot(extrapolationTitle(pred), labelCompute, labelLoss, true, true)
	_, trainHi := computeRange(train)
	lo, hi := computeRange(train, heldOut, predictionPoints(pred))
	addBeyondTraining(p, train, append(slices.Clone(heldOut), predictionPoints(pred)...))
	if law != nil {
		if err := addLaw(p, law, lo, trainHi, hi); err != nil {
			return nil, fmt.Errorf("chart: extrapolation: %w", err)
		}
	}
	s, err := newScatter(computeLoss(train), glyph(circle, trainColour(), false))
	if err != nil {
		return nil, fmt.Errorf("chart: extrapolation: train: %w", err)
	}
	s.GlyphStyle.Radius = 2.5
	p.Add(s)
	p.Legend.Add("training runs", s)
	if len(pred) > 0 {
		if err := addPredictions(p, pred); err != nil {
			return nil, fmt.Errorf("chart: extrapolation: %w", err)
		}
	}
	if len(heldOut) > 0 {
		s, err := newScatter(computeLoss(heldOut), glyph(diamond, heldOutColour(), false))
		if err != nil {
			return nil, fmt.Errorf("chart: extrapolation: heldOut: %w", err)
		}
		s.GlyphStyle.Radius = 3.5
		p.Add(s)
		p.Legend.Add("held-out runs", s)
	}
	return finish(p), nil
}

// addBeyondTraining shades the compute range beyond the largest training
// run, when some held-out run lies there: everything in it is
// extrapolation.
func addBeyondTraining(p *plot.Plot, train, heldOut []scaling.Point) {
	_, trainHi := computeRange(train)
	if _, hi := computeRange(heldOut); len(train) > 0 && hi > trainHi {
		band := shadeRight{x: trainHi, fill: color.NRGBA{A: 0x16}}
		p.Add(band)
		p.Legend.Add("beyond training compute", band)
	}
}

// checkExtrapolation validates Extrapolation's input.
func checkExtrapolation(train, heldOut []scaling.Point, pred []Prediction) error {
	if err := checkNonEmpty("train", len(train)); err != nil {
		return err
	}
	if err := checkPoints("train", train, needCompute|needLoss); err != nil {
		return err
	}
	if err := checkPoints("heldOut", heldOut, needCompute|needLoss); err != nil {
		return err
	}
	for i, pr := range pred {
		if err := checkPoint(fmt.Sprintf("pred[%d].Point", i), pr.Point, needCompute|needLoss); err != nil {
			return err
		}
		for _, f := range []struct {
			name string
			v    float64
		}{{"Pred", pr.Pred}, {"Lo", pr.Lo}, {"Hi", pr.Hi}} {
			if err := checkPositive(fmt.Sprintf("pred[%d].%s", i, f.name), f.v); err != nil {
				return err
			}
		}
		if !(pr.Lo <= pr.Pred && pr.Pred <= pr.Hi) {
			return fmt.Errorf("pred[%d]: Lo = %v, Pred = %v, Hi = %v: want Lo <= Pred <= Hi", i, pr.Lo, pr.Pred, pr.Hi)
		}
	}
	return nil
}

// predictionPoints returns the runs the predictions are for.
func predictionPoints(pred []Prediction) []scaling.Point {
	pts := make([]scaling.Point, len(pred))
	for i, pr := range pred {
		pts[i] = pr.Point
	}
	return pts
}

// extrapolationTitle names the verdict: how many held-out runs fall above
// or below their predicted interval.
func extrapolationTitle(pred []Prediction) string {
	if len(pred) == 0 {
		return "Extrapolation to held-out compute"
	}
	above, below := 0, 0
	for _, pr := range pred {
		switch {
		case pr.Point.Loss > pr.Hi:
			above++
		case pr.Point.Loss < pr.Lo:
			below++
		}
	}
	t := fmt.Sprintf("Held-out runs: %d of %d above the predicted interval", above, len(pred))
	if below > 0 {
		t += fmt.Sprintf(", %d below", below)
	}
	return t
}

// addLaw draws law over [lo, hi]: solid up to split (the fitted range),
// dashed beyond it.
func addLaw(p *plot.Plot, law func(float64) float64, lo, split, hi float64) error {
	style := draw.LineStyle{Color: refColour(), Width: thinLine}
	fit, err := sampleLaw("law", law, lo, split)
	if err != nil {
		return err
	}
	l, err := newLine(fit, style)
	if err != nil {
		return fmt.Errorf("law: %w", err)
	}
	p.Add(l)
	p.Legend.Add("law at compute-optimal N, D", l)
	if hi <= split {
		return nil
	}
	ext, err := sampleLaw("law", law, split, hi)
	if err != nil {
		return err
	}
	style.Dashes = dashed()
	l, err = newLine(ext, style)
	if err != nil {
		return fmt.Errorf("law: %w", err)
	}
	p.Add(l)
	p.Legend.Add("the same, extrapolated", l)
	return nil
}

// predictionBars are the predictions as plotter.YErrorBars input.
type predictionBars []Prediction

func (b predictionBars) Len() int                { return len(b) }
func (b predictionBars) XY(i int) (x, y float64) { return b[i].Point.Compute(), b[i].Pred }
func (b predictionBars) YError(i int) (lo, hi float64) {
	return b[i].Pred - b[i].Lo, b[i].Hi - b[i].Pred
}

// addPredictions draws each prediction as a hollow circle with a capped
// error bar over its interval.
func addPredictions(p *plot.Plot, pred []Prediction) error {
	bars, err := plotter.NewYErrorBars(predictionBars(pred))
	if err != nil {
		return fmt.Errorf("pred: %w", err)
	}
	bars.LineStyle = draw.LineStyle{Color: color.Black, Width: thinLine}
	bars.CapWidth = 6
	xys := make(plotter.XYs, len(pred))
	for i := range pred {
		xys[i].X, xys[i].Y = predictionBars(pred).XY(i)
	}
	s, err := newScatter(xys, glyph(circle, color.Black, true))
	if err != nil {
		return fmt.Errorf("pred: %w", err)
	}
	p.Add(bars, s)
	p.Legend.Add("prediction and interval", barThumb{bars.LineStyle}, s)
	return nil
}

// barThumb is the legend thumbnail of an error bar: a vertical capped line.
type barThumb struct{ style draw.LineStyle }

// Thumbnail implements plot.Thumbnailer.
func (b barThumb) Thumbnail(c *draw.Canvas) {
	x, cap := c.Center().X, vg.Length(3)
	c.StrokeLine2(b.style, x, c.Min.Y, x, c.Max.Y)
	c.StrokeLine2(b.style, x-cap, c.Min.Y, x+cap, c.Min.Y)
	c.StrokeLine2(b.style, x-cap, c.Max.Y, x+cap, c.Max.Y)
}
