package chart

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one labelled set of (x, y) values of a comparison chart:
// markers, a line through them, or both. Group picks its colour and marker
// shape, so that a family's series share them; Dashed draws the line
// dashed (a baseline, a fit).
type Series struct {
	Name          string
	X, Y          []float64
	Group         int
	Markers, Line bool
	Dashed        bool
}

// familyColours are the colours of the groups of a comparison chart: a
// blue, an orange and a green that stay apart in hue and in lightness,
// then grey.
func familyColours() []color.Color {
	return []color.Color{trainColour(), heldOutColour(), color.RGBA{R: 0x1f, G: 0x8a, B: 0x4c, A: 0xff}, color.Gray{Y: 0x60}}
}

// Comparison plots series of several groups on one chart: the families'
// compute frontiers, their losses against D beside the n-gram baseline,
// their losses by position in the context. x and y are log axes when xLog
// and yLog say so; every value on a log axis must be positive.
func Comparison(title, xLabel, yLabel string, xLog, yLog bool, series []Series) (*plot.Plot, error) {
	if err := checkNonEmpty("series", len(series)); err != nil {
		return nil, fmt.Errorf("chart: %s: %w", title, err)
	}
	p := newPlot(title, xLabel, yLabel, xLog, yLog)
	colours := familyColours()
	for _, s := range series {
		if err := checkSameLen("x", len(s.X), "y", len(s.Y)); err != nil {
			return nil, fmt.Errorf("chart: %s: %s: %w", title, s.Name, err)
		}
		if err := checkNonEmpty(s.Name, len(s.X)); err != nil {
			return nil, fmt.Errorf("chart: %s: %w", title, err)
		}
		xys := make(plotter.XYs, len(s.X))
		for i := range s.X {
			for _, v := range []struct {
				log bool
				v   float64
				n   string
			}{{xLog, s.X[i], "x"}, {yLog, s.Y[i], "y"}} {
				check := checkFinite
				if v.log {
					check = checkPositive
				}
				if err := check(fmt.Sprintf("%s %s[%d]", s.Name, v.n, i), v.v); err != nil {
					return nil, fmt.Errorf("chart: %s: %w", title, err)
				}
			}
			xys[i] = plotter.XY{X: s.X[i], Y: s.Y[i]}
		}
		slices.SortStableFunc(xys, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
		col := colours[min(s.Group, len(colours)-1)]
		var thumbs []plot.Thumbnailer
		if s.Line {
			sty := draw.LineStyle{Color: col, Width: 1.2}
			if s.Dashed {
				sty.Dashes = dashed()
			}
			l, err := newLine(xys, sty)
			if err != nil {
				return nil, fmt.Errorf("chart: %s: %s: %w", title, s.Name, err)
			}
			p.Add(l)
			thumbs = append(thumbs, l)
		}
		if s.Markers {
			sc, err := newScatter(xys, glyph(shape(s.Group%int(numShapes)), col, s.Dashed))
			if err != nil {
				return nil, fmt.Errorf("chart: %s: %s: %w", title, s.Name, err)
			}
			p.Add(sc)
			thumbs = append(thumbs, sc)
		}
		if s.Name != "" {
			p.Legend.Add(s.Name, thumbs...)
		}
	}
	return finish(p), nil
}
