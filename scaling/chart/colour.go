package chart

import (
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// rampControls returns the control colours of the sequential colour map,
// from dark indigo through blue, teal and green to gold.
// moreland.NewLuminance interpolates them in CIE L*a*b* so that lightness
// rises linearly along the map: order reads correctly in colour and in
// greyscale.
func rampControls() []color.Color {
	return []color.Color{
		color.RGBA{R: 0x3b, G: 0x0f, B: 0x6f, A: 0xff},
		color.RGBA{R: 0x2c, G: 0x5a, B: 0xa0, A: 0xff},
		color.RGBA{R: 0x1f, G: 0x95, B: 0x8b, A: 0xff},
		color.RGBA{R: 0x6c, G: 0xbd, B: 0x45, A: 0xff},
		color.RGBA{R: 0xe0, G: 0xc8, B: 0x2a, A: 0xff},
	}
}

// The part of the map the ramp uses: it stops short of the gold end, which
// is faint on a white background.
const rampLo, rampHi = 0.0, 0.9

// ramp returns n colours evenly spaced along the colour map, darkest first.
func ramp(n int) []color.Color {
	cmap, err := moreland.NewLuminance(rampControls())
	if err == nil {
		cmap.SetMin(0)
		cmap.SetMax(1)
	}
	out := make([]color.Color, n)
	for i := range out {
		t := (rampLo + rampHi) / 2
		if n > 1 {
			t = rampLo + (rampHi-rampLo)*float64(i)/float64(n-1)
		}
		var c color.Color = color.Black
		if err == nil {
			if ci, err := cmap.At(t); err == nil {
				c = ci
			}
		}
		out[i] = c
	}
	return out
}

// trainColour is the colour of the runs a fit saw, in the extrapolation and
// residual charts.
func trainColour() color.Color { return color.RGBA{R: 0x2c, G: 0x5a, B: 0xa0, A: 0xff} }

// heldOutColour is the colour of the held-out runs: an orange that stands
// apart from trainColour in hue and lightness.
func heldOutColour() color.Color { return color.RGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff} }

// colourKey gives each distinct value of a series key (a model size N, a
// compute budget C) a colour from the ramp and a marker shape, both in
// ascending order of the value.
type colourKey struct {
	values  []float64
	colours []color.Color
}

// newColourKey returns the key of the distinct values among vs.
func newColourKey(vs []float64) colourKey {
	values := slices.Clone(vs)
	slices.Sort(values)
	values = slices.Compact(values)
	return colourKey{values: values, colours: ramp(len(values))}
}

// index returns the position of v among the key's values.
func (k colourKey) index(v float64) int {
	i, _ := slices.BinarySearch(k.values, v)
	return min(i, len(k.values)-1)
}

// colour returns the colour of the value v.
func (k colourKey) colour(v float64) color.Color { return k.colours[k.index(v)] }

// glyph returns the marker of the value v.
func (k colourKey) glyph(v float64) draw.GlyphStyle {
	i := k.index(v)
	return glyph(shape(i%int(numShapes)), k.colours[i], false)
}

// line returns the line style of the value v.
func (k colourKey) line(v float64) draw.LineStyle {
	return draw.LineStyle{Color: k.colour(v), Width: thinLine}
}

// maxKeyEntries is the most legend entries a key takes; longer keys list
// every few values (and always the last), since the ramp is ordered.
const maxKeyEntries = 12

// addLegend lists the key in the legend, smallest value first, each entry
// named by name(value) and showing the marker and, with lines set, the
// line of that value.
func (k colourKey) addLegend(p *plot.Plot, name func(float64) string, lines bool) {
	step := int(math.Ceil(float64(len(k.values)) / maxKeyEntries))
	for i, v := range k.values {
		if i%step != 0 && i != len(k.values)-1 {
			continue
		}
		thumbs := []plot.Thumbnailer{&plotter.Scatter{GlyphStyle: k.glyph(v)}}
		if lines {
			thumbs = append([]plot.Thumbnailer{&plotter.Line{LineStyle: k.line(v)}}, thumbs...)
		}
		p.Legend.Add(name(v), thumbs...)
	}
}
