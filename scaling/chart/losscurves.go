package chart

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/plateau-lab/plateau/scaling"
)

// LossCurves plots held-out loss against tokens seen for every run, both
// axes logarithmic, one thin line per run coloured by its model size N
// with a marker at its final loss; runs of the same N share colour and
// marker, and the legend names each N. With entropy > 0 a dashed line
// marks the source entropy H, the floor no model can pass; entropy 0 draws
// none.
func LossCurves(curves []scaling.Curve, entropy float64) (*plot.Plot, error) {
	if err := checkCurves(curves, entropy); err != nil {
		return nil, fmt.Errorf("chart: loss curves: %w", err)
	}
	p := newPlot("Loss curves by model size", labelTokens, labelLoss, true, true)
	params := make([]float64, len(curves))
	for i, c := range curves {
		params[i] = c.Params
	}
	key := newColourKey(params)
	for _, c := range curves {
		xys := make(plotter.XYs, len(c.Tokens))
		for j := range xys {
			xys[j] = plotter.XY{X: c.Tokens[j], Y: c.Loss[j]}
		}
		l, err := newLine(xys, key.line(c.Params))
		if err != nil {
			return nil, fmt.Errorf("chart: loss curves: run %q: %w", c.Run, err)
		}
		end, err := newScatter(xys[len(xys)-1:], key.glyph(c.Params))
		if err != nil {
			return nil, fmt.Errorf("chart: loss curves: run %q: %w", c.Run, err)
		}
		p.Add(l, end)
	}
	key.addLegend(p, func(n float64) string { return "N = " + formatCount(n) }, true)
	if entropy > 0 {
		h := hline{y: entropy, style: draw.LineStyle{Color: refColour(), Width: thinLine, Dashes: dashed()}}
		p.Add(h)
		p.Legend.Add("source entropy H", h)
	}
	return finish(p), nil
}

// checkCurves validates LossCurves' input.
func checkCurves(curves []scaling.Curve, entropy float64) error {
	if err := checkNonEmpty("curves", len(curves)); err != nil {
		return err
	}
	for i, c := range curves {
		name := fmt.Sprintf("curves[%d]", i)
		if err := checkPositive(name+".Params", c.Params); err != nil {
			return err
		}
		if err := checkNonEmpty(name+".Tokens", len(c.Tokens)); err != nil {
			return err
		}
		if err := checkSameLen(name+".Tokens", len(c.Tokens), name+".Loss", len(c.Loss)); err != nil {
			return err
		}
		for j := range c.Tokens {
			if err := checkPositive(fmt.Sprintf("%s.Tokens[%d]", name, j), c.Tokens[j]); err != nil {
				return err
			}
			if err := checkPositive(fmt.Sprintf("%s.Loss[%d]", name, j), c.Loss[j]); err != nil {
				return err
			}
		}
	}
	if math.IsNaN(entropy) || math.IsInf(entropy, 0) || entropy < 0 {
		return fmt.Errorf("entropy = %v: want a finite value >= 0 (0 draws no line)", entropy)
	}
	return nil
}
