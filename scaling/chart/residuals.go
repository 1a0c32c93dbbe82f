package chart

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/plateau-lab/plateau/scaling"
)

// Residuals plots each run's residual, observed minus predicted loss in
// nats per token, against its compute (log axis), with a zero line. Runs
// the fit saw are blue circles and held-out runs orange diamonds, each set
// named in the legend with its root-mean-square residual; compute beyond
// the largest training run is shaded as in Extrapolation. heldOut marks
// the held-out runs; nil means none were held out. A trend in the residuals
// with compute, or held-out residuals all above zero, is the sign of a law
// that misses the curve's shape.
func Residuals(points []scaling.Point, predicted []float64, heldOut []bool) (*plot.Plot, error) {
	if err := checkResiduals(points, predicted, heldOut); err != nil {
		return nil, fmt.Errorf("chart: residuals: %w", err)
	}
	p := newPlot("Residuals of the fit", labelCompute, "observed − predicted loss (nats/token)", true, false)
	addHeldOutBand(p, points, heldOut)
	p.Add(hline{y: 0, style: draw.LineStyle{Color: refColour(), Width: thinLine}})
	sets := []struct {
		held  bool
		name  string
		glyph draw.GlyphStyle
	}{
		{false, "training runs", glyph(circle, trainColour(), false)},
		{true, "held-out runs", glyph(diamond, heldOutColour(), false)},
	}
	for _, set := range sets {
		var xys plotter.XYs
		var res []float64
		for i, pt := range points {
			if (heldOut != nil && heldOut[i]) != set.held {
				continue
			}
			r := pt.Loss - predicted[i]
			xys = append(xys, plotter.XY{X: pt.Compute(), Y: r})
			res = append(res, r)
		}
		if len(xys) == 0 {
			continue
		}
		s, err := newScatter(xys, set.glyph)
		if err != nil {
			return nil, fmt.Errorf("chart: residuals: %s: %w", set.name, err)
		}
		p.Add(s)
		p.Legend.Add(fmt.Sprintf("%s (RMS %s)", set.name, formatSig(rms(res), 2)), s)
	}
	return finish(p), nil
}

// addHeldOutBand shades the compute beyond the largest training run when
// held-out runs lie there, as Extrapolation does.
func addHeldOutBand(p *plot.Plot, points []scaling.Point, heldOut []bool) {
	var train, held []scaling.Point
	for i, pt := range points {
		if heldOut != nil && heldOut[i] {
			held = append(held, pt)
		} else {
			train = append(train, pt)
		}
	}
	addBeyondTraining(p, train, held)
}

// checkResiduals validates Residuals' input.
func checkResiduals(points []scaling.Point, predicted []float64, heldOut []bool) error {
	if err := checkNonEmpty("points", len(points)); err != nil {
		return err
	}
	if err := checkSameLen("points", len(points), "predicted", len(predicted)); err != nil {
		return err
	}
	if heldOut != nil {
		if err := checkSameLen("points", len(points), "heldOut", len(heldOut)); err != nil {
			return err
		}
	}
	for i, pt := range points {
		if err := checkPoint(fmt.Sprintf("points[%d]", i), pt, needCompute); err != nil {
			return err
		}
		if err := checkFinite(fmt.Sprintf("points[%d].Loss", i), pt.Loss); err != nil {
			return err
		}
		if err := checkFinite(fmt.Sprintf("predicted[%d]", i), predicted[i]); err != nil {
			return err
		}
	}
	return nil
}

// rms returns the root mean square of xs.
func rms(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x * x
	}
	return math.Sqrt(s / float64(len(xs)))
}
