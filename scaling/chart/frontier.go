package chart

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/plateau-lab/plateau/scaling"
)

// Frontier plots the final loss of every run against its training compute
// C, log-log, each run a marker coloured by its model size N. The frontier
// runs (the lowest loss reached at each compute) are joined by a black
// line, and law, when not nil, is drawn as a dashed curve over the whole
// compute range: a fit that bends away from the frontier shows at a glance.
func Frontier(points []scaling.Point, frontier []scaling.Point, law func(c float64) float64) (*plot.Plot, error) {
	if err := checkNonEmpty("points", len(points)); err != nil {
		return nil, fmt.Errorf("chart: frontier: %w", err)
	}
	if err := checkPoints("points", points, needParams|needCompute|needLoss); err != nil {
		return nil, fmt.Errorf("chart: frontier: %w", err)
	}
	if err := checkPoints("frontier", frontier, needCompute|needLoss); err != nil {
		return nil, fmt.Errorf("chart: frontier: %w", err)
	}
	p := newPlot("Compute frontier", labelCompute, labelLoss, true, true)
	params := make([]float64, len(points))
	for i, pt := range points {
		params[i] = pt.Params
	}
	key := newColourKey(params)
	if err := addRuns(p, points, key); err != nil {
		return nil, fmt.Errorf("chart: frontier: %w", err)
	}
	key.addLegend(p, func(n float64) string { return "N = " + formatCount(n) }, false)
	if len(frontier) > 0 {
		xys := computeLoss(frontier)
		slices.SortFunc(xys, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
		l, err := newLine(xys, draw.LineStyle{Color: refColour(), Width: 1.2})
		if err != nil {
			return nil, fmt.Errorf("chart: frontier: frontier: %w", err)
		}
		p.Add(l)
		p.Legend.Add("compute frontier", l)
	}
	if law != nil {
		lo, hi := computeRange(points, frontier)
		xys, err := sampleLaw("law", law, lo, hi)
		if err != nil {
			return nil, fmt.Errorf("chart: frontier: %w", err)
		}
		l, err := newLine(xys, draw.LineStyle{Color: refColour(), Width: thinLine, Dashes: dashed()})
		if err != nil {
			return nil, fmt.Errorf("chart: frontier: law: %w", err)
		}
		p.Add(l)
		p.Legend.Add("law at compute-optimal N, D", l)
	}
	return finish(p), nil
}

// addRuns adds a marker per point at (compute, loss), one scatter per
// distinct Params, coloured and shaped by the key.
func addRuns(p *plot.Plot, points []scaling.Point, key colourKey) error {
	for _, n := range key.values {
		var xys plotter.XYs
		for _, pt := range points {
			if pt.Params == n {
				xys = append(xys, plotter.XY{X: pt.Compute(), Y: pt.Loss})
			}
		}
		s, err := newScatter(xys, key.glyph(n))
		if err != nil {
			return fmt.Errorf("runs with N = %g: %w", n, err)
		}
		p.Add(s)
	}
	return nil
}

// computeLoss returns the (compute, loss) pairs of points.
func computeLoss(points []scaling.Point) plotter.XYs {
	xys := make(plotter.XYs, len(points))
	for i, pt := range points {
		xys[i] = plotter.XY{X: pt.Compute(), Y: pt.Loss}
	}
	return xys
}

// computeRange returns the smallest and largest compute among the point
// sets.
func computeRange(sets ...[]scaling.Point) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, set := range sets {
		for _, pt := range set {
			lo, hi = math.Min(lo, pt.Compute()), math.Max(hi, pt.Compute())
		}
	}
	return lo, hi
}
