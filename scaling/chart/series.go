package chart

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// lawSamples is how many points draw a fitted curve.
const lawSamples = 120

// sampleLaw evaluates a fitted law of compute at lawSamples points spaced
// evenly in log over [lo, hi], rejecting values a log loss axis cannot
// hold. name names the law in errors.
func sampleLaw(name string, law func(float64) float64, lo, hi float64) (plotter.XYs, error) {
	xys := make(plotter.XYs, lawSamples)
	for i := range xys {
		c := logSpace(lo, hi, i, lawSamples)
		y := law(c)
		if err := checkPositive(fmt.Sprintf("%s(%.4g)", name, c), y); err != nil {
			return nil, err
		}
		xys[i] = plotter.XY{X: c, Y: y}
	}
	return xys, nil
}

// logSpace returns the i-th of n points spaced evenly in log between lo
// and hi.
func logSpace(lo, hi float64, i, n int) float64 {
	if n < 2 {
		return lo
	}
	t := float64(i) / float64(n-1)
	return math.Exp(math.Log(lo) + t*(math.Log(hi)-math.Log(lo)))
}

// newLine returns a line through xys in the given style.
func newLine(xys plotter.XYs, sty draw.LineStyle) (*plotter.Line, error) {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	l.LineStyle = sty
	return l, nil
}

// newScatter returns markers at xys in the given glyph style.
func newScatter(xys plotter.XYs, g draw.GlyphStyle) (*plotter.Scatter, error) {
	s, err := plotter.NewScatter(xys)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle = g
	return s, nil
}

// hline is a horizontal reference line across the whole width of the axes
// (a source entropy, a zero residual). It widens the y range to include
// itself and leaves the x range to the data.
type hline struct {
	y     float64
	style draw.LineStyle
}

// Plot implements plot.Plotter.
func (h hline) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	if y := trY(h.y); c.ContainsY(y) {
		c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
	}
}

// DataRange implements plot.DataRanger.
func (h hline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return math.Inf(1), math.Inf(-1), h.y, h.y
}

// Thumbnail implements plot.Thumbnailer.
func (h hline) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(h.style, c.Min.X, y, c.Max.X, y)
}

// shadeRight shades the axes from x to their right edge, marking a region
// such as the compute range held out of a fit. It does not change the
// ranges.
type shadeRight struct {
	x    float64
	fill color.Color
}

// Plot implements plot.Plotter.
func (s shadeRight) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := max(trX(s.x), c.Min.X)
	if x >= c.Max.X {
		return
	}
	c.FillPolygon(s.fill, []vg.Point{
		{X: x, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: x, Y: c.Max.Y},
	})
}

// Thumbnail implements plot.Thumbnailer.
func (s shadeRight) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.fill, []vg.Point{
		{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y},
	})
}
