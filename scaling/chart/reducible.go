package chart

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/plateau-lab/plateau/scaling"
)

// ReducibleLoss plots each run's reducible loss, its final loss above the
// data's entropy H (entropy > 0), against its tokens D, both axes
// logarithmic, one marker per run coloured by its model size N. On these
// axes a loss that falls as a power law towards H is a straight line, and a
// law whose floor sits above H bends flat. law, when not nil, is the fitted
// L(N, D): law(N, D) - H is drawn for each N as a line over the D range,
// where it is above zero. Each floor in floors (a size's own fitted E_N)
// that lies above H is a dashed level line in its size's colour: the level
// that size is heading for. Runs at or below H cannot sit on a log axis; the
// title counts them.
func ReducibleLoss(points []scaling.Point, entropy float64, law func(n, d float64) float64, floors []scaling.SizeFloor) (*plot.Plot, error) {
	if err := checkReducible(points, entropy); err != nil {
		return nil, fmt.Errorf("chart: reducible loss: %w", err)
	}
	var above []scaling.Point
	params := make([]float64, len(points))
	for i, pt := range points {
		params[i] = pt.Params
		if pt.Loss > entropy {
			above = append(above, pt)
		}
	}
	if len(above) == 0 {
		return nil, fmt.Errorf("chart: reducible loss: no run lies above H = %.4g", entropy)
	}
	title := fmt.Sprintf("Reducible loss above H = %s nats/token", formatSig(entropy, 4))
	if k := len(points) - len(above); k > 0 {
		title += fmt.Sprintf(" (%d runs at or below H not shown)", k)
	}
	p := newPlot(title, labelTokens, "L − H (nats/token)", true, true)
	key := newColourKey(params)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, pt := range points {
		lo, hi = math.Min(lo, pt.Tokens), math.Max(hi, pt.Tokens)
	}
	lo, hi = lo/math.Sqrt2, hi*math.Sqrt2
	for _, n := range key.values {
		if law != nil {
			if xys := reducibleLaw(law, n, entropy, lo, hi); len(xys) > 1 {
				l, err := newLine(xys, key.line(n))
				if err != nil {
					return nil, fmt.Errorf("chart: reducible loss: law at N = %g: %w", n, err)
				}
				p.Add(l)
			}
		}
		var xys plotter.XYs
		for _, pt := range above {
			if pt.Params == n {
				xys = append(xys, plotter.XY{X: pt.Tokens, Y: pt.Loss - entropy})
			}
		}
		if len(xys) == 0 {
			continue
		}
		s, err := newScatter(xys, key.glyph(n))
		if err != nil {
			return nil, fmt.Errorf("chart: reducible loss: runs at N = %g: %w", n, err)
		}
		p.Add(s)
	}
	for _, f := range floors {
		if !(f.E > entropy) {
			continue
		}
		sty := key.line(f.Params)
		sty.Dashes = dashed()
		l, err := newLine(plotter.XYs{{X: lo, Y: f.E - entropy}, {X: hi, Y: f.E - entropy}}, sty)
		if err != nil {
			return nil, fmt.Errorf("chart: reducible loss: floor at N = %g: %w", f.Params, err)
		}
		p.Add(l)
	}
	key.addLegend(p, func(n float64) string { return "N = " + formatCount(n) }, law != nil)
	if len(floors) > 0 {
		p.Legend.Add("each size's floor E_N − H", &plotter.Line{LineStyle: draw.LineStyle{Color: refColour(), Width: thinLine, Dashes: dashed()}})
	}
	return finish(p), nil
}

// reducibleLaw samples law(n, D) - h over [lo, hi] in D, up to the first
// sample at or below zero.
func reducibleLaw(law func(n, d float64) float64, n, h, lo, hi float64) plotter.XYs {
	var xys plotter.XYs
	for i := range lawSamples {
		d := logSpace(lo, hi, i, lawSamples)
		y := law(n, d) - h
		if !(y > 0) || math.IsInf(y, 1) {
			break
		}
		xys = append(xys, plotter.XY{X: d, Y: y})
	}
	return xys
}

// checkReducible validates ReducibleLoss' input.
func checkReducible(points []scaling.Point, entropy float64) error {
	if err := checkNonEmpty("points", len(points)); err != nil {
		return err
	}
	if err := checkPoints("points", points, needParams|needTokens|needLoss); err != nil {
		return err
	}
	return checkPositive("entropy", entropy)
}
