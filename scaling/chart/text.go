package chart

import (
	"math"
	"strings"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// Superscripts in labels are written "10^{6}". The Liberation fonts that
// gonum/plot embeds lack the Unicode superscripts ⁰, ⁹ and ⁻, and its LaTeX
// handler cannot typeset "^", so superscript draws them itself: a smaller
// face raised above the baseline.
const (
	supOpen  = "^{"
	supClose = "}"
	supScale = 0.7  // exponent size as a fraction of the base size
	supRise  = 0.42 // exponent baseline above the base baseline, in base font sizes
)

// superscript is a text.Handler that typesets "^{...}" as an exponent and
// everything else as plain text.
type superscript struct {
	text.Plain
}

// newHandler returns the text handler every chart uses.
func newHandler() superscript {
	return superscript{text.Plain{Fonts: font.DefaultCache}}
}

// textRun is a piece of a line set either at the base size or as an exponent.
type textRun struct {
	s   string
	sup bool
}

// splitRuns cuts a line at its "^{...}" groups. An unclosed "^{" is kept as
// literal text.
func splitRuns(line string) []textRun {
	var runs []textRun
	for line != "" {
		i := strings.Index(line, supOpen)
		if i < 0 {
			break
		}
		j := strings.Index(line[i+len(supOpen):], supClose)
		if j < 0 {
			break
		}
		if i > 0 {
			runs = append(runs, textRun{s: line[:i]})
		}
		runs = append(runs, textRun{s: line[i+len(supOpen) : i+len(supOpen)+j], sup: true})
		line = line[i+len(supOpen)+j+len(supClose):]
	}
	if line != "" {
		runs = append(runs, textRun{s: line})
	}
	return runs
}

// faces returns the base and exponent faces of fnt.
func (h superscript) faces(fnt font.Font) (base, sup font.Face) {
	small := fnt
	small.Size = fnt.Size * supScale
	return h.Fonts.Lookup(fnt, fnt.Size), h.Fonts.Lookup(small, small.Size)
}

// Box returns the width, the height above the baseline (raised exponents
// included) and the depth below it of one line of text.
func (h superscript) Box(txt string, fnt font.Font) (width, height, depth vg.Length) {
	base, sup := h.faces(fnt)
	height, depth = base.Extents().Ascent, base.Extents().Descent
	for _, r := range splitRuns(txt) {
		if !r.sup {
			width += base.Width(r.s)
			continue
		}
		width += sup.Width(r.s)
		height = max(height, supRise*fnt.Size+sup.Extents().Ascent)
	}
	return width, height, depth
}

// Draw draws txt at pt with the alignment and rotation of sty, placing
// lines the way text.Plain does so that mixed labels line up with plain
// ones.
func (h superscript) Draw(c vg.Canvas, txt string, sty text.Style, pt vg.Point) {
	txt = strings.TrimRight(txt, "\n")
	if !strings.Contains(txt, supOpen) {
		h.Plain.Draw(c, txt, sty, pt)
		return
	}
	base, sup := h.faces(sty.Font)
	c.SetColor(sty.Color)
	if sty.Rotation != 0 {
		c.Push()
		defer c.Pop()
		c.Rotate(sty.Rotation)
		// Express pt in the rotated frame.
		s, co := math.Sincos(sty.Rotation)
		sin, cos := vg.Length(s), vg.Length(co)
		pt = vg.Point{X: pt.X*cos + pt.Y*sin, Y: pt.Y*cos - pt.X*sin}
	}
	lines := h.Lines(txt)
	top := pt.Y + sty.Height(txt)*vg.Length(sty.YAlign) - base.Extents().Ascent
	for i, line := range lines {
		w, _, _ := h.Box(line, sty.Font)
		x := pt.X + vg.Length(sty.XAlign)*w
		y := top + vg.Length(len(lines)-i)*sty.Font.Size
		for _, r := range splitRuns(line) {
			if r.sup {
				c.FillString(sup, vg.Point{X: x, Y: y + supRise*sty.Font.Size}, r.s)
				x += sup.Width(r.s)
				continue
			}
			c.FillString(base, vg.Point{X: x, Y: y}, r.s)
			x += base.Width(r.s)
		}
	}
}
