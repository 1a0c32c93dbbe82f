package chart

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// shape is a marker outline.
type shape int

// The marker shapes, in the order series receive them.
const (
	circle shape = iota
	square
	triangleUp
	diamond
	triangleDown
	pentagon
	hexagon
	numShapes
)

// marker is a draw.GlyphDrawer for the chart markers: a filled shape with
// a thin darker edge, so that light colours stay visible on white, or a
// hollow one (white fill, coloured edge).
type marker struct {
	shape  shape
	hollow bool
}

// markerRadius is the radius of a data marker, in points.
const markerRadius vg.Length = 3

// DrawGlyph implements draw.GlyphDrawer.
func (m marker) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	path := m.path(sty.Radius, pt)
	edge := draw.LineStyle{Color: darker(sty.Color), Width: vg.Points(0.5)}
	fill := sty.Color
	if m.hollow {
		edge = draw.LineStyle{Color: sty.Color, Width: vg.Points(1)}
		fill = color.White
	}
	c.SetColor(fill)
	c.Fill(path)
	c.SetLineStyle(edge)
	c.Stroke(path)
}

// path returns the closed outline of the shape around pt. Polygons are
// scaled to look about as large as the circle of radius r.
func (m marker) path(r vg.Length, pt vg.Point) vg.Path {
	var p vg.Path
	if m.shape == circle {
		p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		p.Arc(pt, r, 0, 2*math.Pi)
		p.Close()
		return p
	}
	sides, start, scale := 4, math.Pi/4, 1.2 // square
	switch m.shape {
	case triangleUp:
		sides, start, scale = 3, math.Pi/2, 1.4
	case diamond:
		sides, start, scale = 4, 0, 1.2
	case triangleDown:
		sides, start, scale = 3, -math.Pi/2, 1.4
	case pentagon:
		sides, start, scale = 5, math.Pi/2, 1.12
	case hexagon:
		sides, start, scale = 6, 0, 1.08
	}
	rr := float64(r) * scale
	for i := 0; i < sides; i++ {
		a := start + 2*math.Pi*float64(i)/float64(sides)
		q := vg.Point{X: pt.X + vg.Length(rr*math.Cos(a)), Y: pt.Y + vg.Length(rr*math.Sin(a))}
		if i == 0 {
			p.Move(q)
		} else {
			p.Line(q)
		}
	}
	p.Close()
	return p
}

// darker returns c at 60% brightness, for marker edges.
func darker(c color.Color) color.Color {
	if c == nil {
		return color.Black
	}
	r, g, b, a := c.RGBA()
	f := func(v uint32) uint8 { return uint8(v * 6 / 10 >> 8) }
	return color.RGBA{R: f(r), G: f(g), B: f(b), A: uint8(a >> 8)}
}

// glyph returns the glyph style of a marker in colour col.
func glyph(s shape, col color.Color, hollow bool) draw.GlyphStyle {
	return draw.GlyphStyle{Color: col, Radius: markerRadius, Shape: marker{shape: s, hollow: hollow}}
}
