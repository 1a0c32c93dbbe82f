package chart

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// IsoGroup is one IsoFLOP profile: the runs trained with the same compute
// budget, and the parabola fitted to their loss against ln N.
type IsoGroup struct {
	FLOPs  float64   // the budget C shared by the group's runs
	Params []float64 // N of each run
	Loss   []float64 // final held-out loss of each run, nats per token
	// Parabola holds p0, p1, p2 of loss = p0 + p1 x + p2 x², x = ln N.
	Parabola  [3]float64
	MinParams float64 // N at the parabola's minimum, the compute-optimal size
	Fitted    bool    // whether Parabola and MinParams hold a fit
}

// at evaluates the group's parabola at N = n.
func (g IsoGroup) at(n float64) float64 {
	x := math.Log(n)
	return g.Parabola[0] + g.Parabola[1]*x + g.Parabola[2]*x*x
}

// parabolaSamples is how many points draw a fitted parabola.
const parabolaSamples = 60

// IsoFLOP plots loss against model size N (log axis; loss linear, as the
// profiles are parabolas in ln N) for each compute budget, one colour and
// marker per budget, darkest for the smallest; the runs of a budget with
// no fitted parabola are joined by a thin dashed line. For a fitted group the
// parabola is drawn over its runs' N range, widened to include the
// minimum, and the minimum is marked with a black cross: the crosses trace
// the compute-optimal N as the budget grows.
func IsoFLOP(groups []IsoGroup) (*plot.Plot, error) {
	if err := checkIsoGroups(groups); err != nil {
		return nil, fmt.Errorf("chart: isoflop: %w", err)
	}
	p := newPlot("IsoFLOP profiles", labelParams, labelLoss, true, false)
	budgets := make([]float64, len(groups))
	for i, g := range groups {
		budgets[i] = g.FLOPs
	}
	key := newColourKey(budgets)
	minimum := draw.GlyphStyle{Color: refColour(), Radius: 4, Shape: thickCross{}}
	var minima plotter.XYs
	for i, g := range groups {
		xys := make(plotter.XYs, len(g.Params))
		lo, hi := math.Inf(1), math.Inf(-1)
		for j := range xys {
			xys[j] = plotter.XY{X: g.Params[j], Y: g.Loss[j]}
			lo, hi = math.Min(lo, g.Params[j]), math.Max(hi, g.Params[j])
		}
		s, err := newScatter(xys, key.glyph(g.FLOPs))
		if err != nil {
			return nil, fmt.Errorf("chart: isoflop: groups[%d]: %w", i, err)
		}
		p.Add(s)
		if !g.Fitted {
			// No parabola: join the runs by N with a thin dashed line so
			// the profile still reads as one budget.
			if len(xys) > 1 {
				sort.Slice(xys, func(a, b int) bool { return xys[a].X < xys[b].X })
				style := key.line(g.FLOPs)
				style.Width /= 2
				style.Dashes = dashed()
				l, err := newLine(xys, style)
				if err != nil {
					return nil, fmt.Errorf("chart: isoflop: groups[%d]: %w", i, err)
				}
				p.Add(l)
			}
			continue
		}
		lo, hi = math.Min(lo, g.MinParams), math.Max(hi, g.MinParams)
		curve := make(plotter.XYs, parabolaSamples)
		for j := range curve {
			n := logSpace(lo, hi, j, parabolaSamples)
			curve[j] = plotter.XY{X: n, Y: g.at(n)}
		}
		l, err := newLine(curve, key.line(g.FLOPs))
		if err != nil {
			return nil, fmt.Errorf("chart: isoflop: groups[%d].Parabola: %w", i, err)
		}
		p.Add(l)
		minima = append(minima, plotter.XY{X: g.MinParams, Y: g.at(g.MinParams)})
	}
	key.addLegend(p, func(c float64) string { return "C = " + formatPow(c) }, false)
	if len(minima) > 0 {
		s, err := newScatter(minima, minimum)
		if err != nil {
			return nil, fmt.Errorf("chart: isoflop: minima: %w", err)
		}
		p.Add(s)
		p.Legend.Add("fitted minimum", s)
	}
	return finish(p), nil
}

// checkIsoGroups validates IsoFLOP's input.
func checkIsoGroups(groups []IsoGroup) error {
	if err := checkNonEmpty("groups", len(groups)); err != nil {
		return err
	}
	for i, g := range groups {
		name := fmt.Sprintf("groups[%d]", i)
		if err := checkPositive(name+".FLOPs", g.FLOPs); err != nil {
			return err
		}
		if err := checkNonEmpty(name+".Params", len(g.Params)); err != nil {
			return err
		}
		if err := checkSameLen(name+".Params", len(g.Params), name+".Loss", len(g.Loss)); err != nil {
			return err
		}
		for j := range g.Params {
			if err := checkPositive(fmt.Sprintf("%s.Params[%d]", name, j), g.Params[j]); err != nil {
				return err
			}
			if err := checkFinite(fmt.Sprintf("%s.Loss[%d]", name, j), g.Loss[j]); err != nil {
				return err
			}
		}
		if !g.Fitted {
			continue
		}
		for k, c := range g.Parabola {
			if err := checkFinite(fmt.Sprintf("%s.Parabola[%d]", name, k), c); err != nil {
				return err
			}
		}
		if err := checkPositive(name+".MinParams", g.MinParams); err != nil {
			return err
		}
		if err := checkFinite(name+" parabola at MinParams", g.at(g.MinParams)); err != nil {
			return err
		}
	}
	return nil
}

// thickCross is the marker of a fitted minimum: an × drawn with a heavier
// stroke than draw.CrossGlyph, so it reads over the parabola.
type thickCross struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (thickCross) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	ls := draw.LineStyle{Color: sty.Color, Width: 1.6}
	r := sty.Radius
	c.StrokeLine2(ls, pt.X-r, pt.Y-r, pt.X+r, pt.Y+r)
	c.StrokeLine2(ls, pt.X-r, pt.Y+r, pt.X+r, pt.Y-r)
}
