package chart

import (
	"image"
	"image/color"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// TestSplitRuns checks how a label is cut into base text and exponents.
func TestSplitRuns(t *testing.T) {
	cases := []struct {
		in   string
		want []textRun
	}{
		{"tokens D", []textRun{{s: "tokens D"}}},
		{"10^{6}", []textRun{{s: "10"}, {s: "6", sup: true}}},
		{"C = 3×10^{−18} FLOPs", []textRun{{s: "C = 3×10"}, {s: "−18", sup: true}, {s: " FLOPs"}}},
		{"a^{1}b^{2}", []textRun{{s: "a"}, {s: "1", sup: true}, {s: "b"}, {s: "2", sup: true}}},
		{"open ^{ never closed", []textRun{{s: "open ^{ never closed"}}},
		{"", nil},
	}
	for _, c := range cases {
		if got := splitRuns(c.in); !slices.Equal(got, c.want) {
			t.Errorf("splitRuns(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestSuperscriptBox checks that an exponent is narrower than the same
// digits at full size and raises the text's height.
func TestSuperscriptBox(t *testing.T) {
	h := newHandler()
	fnt := font.From(plot.DefaultFont, 10)
	plainW, plainH, plainD := h.Box("106", fnt)
	supW, supH, supD := h.Box("10^{6}", fnt)
	if !(supW < plainW) {
		t.Errorf("width of 10^{6} = %v, want less than 106's %v", supW, plainW)
	}
	if !(supH > plainH) || supD != plainD {
		t.Errorf("10^{6}: height %v depth %v, want height above %v and depth %v", supH, supD, plainH, plainD)
	}
	if w, _, _ := h.Box("10^{6}", fnt); w != supW {
		t.Errorf("Box is not repeatable: %v then %v", supW, w)
	}
}

// TestSuperscriptDraw draws a label with an exponent, upright and rotated
// as a y-axis label is, and checks that ink lands where the text should be.
func TestSuperscriptDraw(t *testing.T) {
	cases := []struct {
		name     string
		rotation float64
		x, y     vg.Length // where to draw, points
	}{
		{"upright", 0, 50, 50},
		{"rotated", math.Pi / 2, 50, 50},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img := vgimg.NewWith(vgimg.UseWH(100, 100), vgimg.UseDPI(72))
			dc := draw.New(img)
			sty := text.Style{
				Color: color.Black, Font: font.From(plot.DefaultFont, 12), Rotation: c.rotation,
				XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: newHandler(),
			}
			dc.FillText(sty, vg.Point{X: c.x, Y: c.y}, "10^{−6}")
			ink := image.Rectangle{}
			m := img.Image()
			for y := m.Bounds().Min.Y; y < m.Bounds().Max.Y; y++ {
				for x := m.Bounds().Min.X; x < m.Bounds().Max.X; x++ {
					if r, _, _, _ := m.At(x, y).RGBA(); r < 0x8000 { // dark on the white background
						ink = ink.Union(image.Rect(x, y, x+1, y+1))
					}
				}
			}
			if ink.Empty() {
				t.Fatal("nothing drawn")
			}
			// The ink is centred on (50, 50) and longer along the text's direction.
			cx, cy := (ink.Min.X+ink.Max.X)/2, (ink.Min.Y+ink.Max.Y)/2
			if cx < 40 || cx > 60 || cy < 40 || cy > 60 {
				t.Errorf("ink %v centred at (%d, %d), want near (50, 50)", ink, cx, cy)
			}
			wide := ink.Dx() > ink.Dy()
			if wide != (c.rotation == 0) {
				t.Errorf("ink %v: %dx%d, want it longer along the text", ink, ink.Dx(), ink.Dy())
			}
		})
	}
}
