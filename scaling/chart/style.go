package chart

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Text sizes, in points, for a figure about 6 in wide.
const (
	titleSize  = 12
	labelSize  = 11
	tickSize   = 9.5
	legendSize = 9
)

// Axis labels shared by the charts: quantity, symbol and unit.
const (
	labelTokens  = "tokens D"
	labelParams  = "non-embedding parameters N"
	labelCompute = "training compute C (FLOPs)"
	labelLoss    = "held-out loss (nats/token)"
)

// Line widths, in points.
const (
	thinLine  vg.Length = 1
	frameLine vg.Length = 0.6
)

// refColour is the colour of reference lines (entropy, zero, fits).
func refColour() color.Color { return color.Gray{Y: 0x30} }

// frameStyle is the style of the frame, the axes and their ticks.
func frameStyle() draw.LineStyle { return draw.LineStyle{Color: color.Black, Width: frameLine} }

// dashed returns a dash pattern for reference and extrapolated lines.
func dashed() []vg.Length { return []vg.Length{4, 2.5} }

// newPlot returns a plot with the shared look: text handler and sizes,
// grid, frame-coloured axes and ticks, legend settings. xLog and yLog
// put the axes on a log scale with logTicks.
func newPlot(title, xLabel, yLabel string, xLog, yLog bool) *plot.Plot {
	h := newHandler()
	p := plot.New()
	p.TextHandler = h
	p.Title.Text = title
	p.Title.TextStyle.Handler = h
	p.Title.TextStyle.Font.Size = titleSize
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Handler = h
		a.Label.TextStyle.Font.Size = labelSize
		a.Label.Padding = vg.Points(3)
		a.Tick.Label.Handler = h
		a.Tick.Label.Font.Size = tickSize
		a.Tick.Length = vg.Points(4)
		a.Padding = 0
		a.LineStyle = frameStyle()
		a.Tick.LineStyle = frameStyle()
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = linearTicks{}, linearTicks{}
	if xLog {
		setLog(&p.X)
	}
	if yLog {
		setLog(&p.Y)
	}
	p.Legend.TextStyle.Handler = h
	p.Legend.TextStyle.Font.Size = legendSize
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.Padding = vg.Points(2.5)
	p.Legend.ThumbnailWidth = vg.Points(18)
	p.Add(gridLines{})
	return p
}

// setLog puts an axis on a log scale with decade ticks.
func setLog(a *plot.Axis) {
	a.Scale = plot.LogScale{}
	a.Tick.Marker = logTicks{}
}

// isLog reports whether an axis is on a log scale.
func isLog(a *plot.Axis) bool {
	_, ok := a.Scale.(plot.LogScale)
	return ok
}

// axisMargin is the space left between the data and the frame, as a
// fraction of the axis span (in log space for log axes).
const axisMargin = 0.04

// finish widens both axes by axisMargin so that markers clear the frame,
// gives a single value a range a log axis can hold, and adds the frame on
// top of the data. Every builder calls it last.
func finish(p *plot.Plot) *plot.Plot {
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		widen(a)
	}
	p.Add(frame{})
	return p
}

// widen adds axisMargin on each side of an axis's data range.
func widen(a *plot.Axis) {
	lo, hi := a.Min, a.Max
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
		return // no data: gonum/plot picks a range
	}
	if isLog(a) {
		lo, hi = math.Log10(lo), math.Log10(hi)
	}
	span := hi - lo
	if span == 0 {
		span = math.Max(math.Abs(lo), 1) // one value: a decade either side on log axes
		if isLog(a) {
			span = 1
		}
		lo, hi = lo-span/2, hi+span/2
	}
	lo, hi = lo-axisMargin*span, hi+axisMargin*span
	if isLog(a) {
		lo, hi = math.Pow(10, lo), math.Pow(10, hi)
	}
	a.Min, a.Max = lo, hi
}

// gridLines draws light grid lines at the major ticks and lighter ones at
// the minor ticks of both axes. It is added first, under the data.
type gridLines struct{}

// Plot implements plot.Plotter.
func (gridLines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, t := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		if x := trX(t.Value); c.ContainsX(x) {
			c.StrokeLine2(gridStyle(t), x, c.Min.Y, x, c.Max.Y)
		}
	}
	for _, t := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if y := trY(t.Value); c.ContainsY(y) {
			c.StrokeLine2(gridStyle(t), c.Min.X, y, c.Max.X, y)
		}
	}
}

// gridStyle is the grid line style of a tick: light grey at labelled
// ticks, lighter and thinner at minor ones.
func gridStyle(t plot.Tick) draw.LineStyle {
	if t.IsMinor() {
		return draw.LineStyle{Color: color.Gray{Y: 0xee}, Width: 0.4}
	}
	return draw.LineStyle{Color: color.Gray{Y: 0xdc}, Width: 0.5}
}

// frame closes the axes into a box; the axis lines themselves draw its left
// and bottom edges.
type frame struct{}

// Plot implements plot.Plotter.
func (frame) Plot(c draw.Canvas, _ *plot.Plot) {
	c.StrokeLines(frameStyle(), []vg.Point{
		{X: c.Min.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Min.Y},
	})
}
