package chart

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// inlineLabel is a text placed on a line of the plot, in data coordinates.
type inlineLabel struct {
	x, y float64
	text string
}

// inlineLabels draws labels centred on the lines they name, each on a white
// box that cuts the line underneath, the way contour labels are set in
// print. It does not change the ranges.
type inlineLabels struct {
	labels []inlineLabel
	style  text.Style
}

// labelHalo is the white margin around an inline label.
const labelHalo vg.Length = 1.5

// newInlineLabels returns inline labels of the given size and colour.
func newInlineLabels(size vg.Length, col color.Color) *inlineLabels {
	return &inlineLabels{style: text.Style{
		Color:   col,
		Font:    font.From(plot.DefaultFont, size),
		XAlign:  draw.XCenter,
		YAlign:  draw.YCenter,
		Handler: newHandler(),
	}}
}

// add queues a label at (x, y).
func (l *inlineLabels) add(x, y float64, s string) {
	l.labels = append(l.labels, inlineLabel{x: x, y: y, text: s})
}

// Plot implements plot.Plotter.
func (l *inlineLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, lb := range l.labels {
		pt := vg.Point{X: trX(lb.x), Y: trY(lb.y)}
		if !c.Contains(pt) {
			continue
		}
		r := l.style.Rectangle(lb.text).Add(pt)
		r.Min = r.Min.Sub(vg.Point{X: labelHalo, Y: labelHalo})
		r.Max = r.Max.Add(vg.Point{X: labelHalo, Y: labelHalo})
		c.SetColor(color.White)
		c.Fill(r.Path())
		c.FillText(l.style, pt, lb.text)
	}
}
