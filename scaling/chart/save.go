package chart

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure size and raster resolution Save uses: a 6 x 4.5 in figure fits a
// page column or a slide, and 150 dpi gives a 900 x 675 PNG.
const (
	// Width is the width of a saved figure.
	Width = 6 * vg.Inch
	// Height is the height of a saved figure.
	Height = 4.5 * vg.Inch
	// DPI is the resolution of a saved PNG, in dots per inch.
	DPI = 150
)

// legendGap is the space between the axes and the legend column, and
// between the legend and the figure's right edge.
const legendGap vg.Length = 8

// Save writes p as dir/name.png (Width x Height at DPI) and dir/name.svg
// (naming its serif fonts rather than embedding them, which keeps a figure
// near 30 KB instead of 550 KB), creating dir
// if needed, and returns the two paths. Each file is written
// to a temporary file in dir and renamed into place, so a reader never sees
// a partial figure. The legend is drawn in a column right of the axes,
// top-aligned with them, so that it never covers data, and the axis labels
// are centred on the axes.
func Save(p *plot.Plot, dir, name string) ([]string, error) {
	if p == nil {
		return nil, errors.New("chart: save: plot is nil")
	}
	if name == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") {
		return nil, fmt.Errorf("chart: save: name %q: want a file name without folders, to which .png and .svg are added", name)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("chart: save %s: %w", name, err)
	}
	formats := []struct {
		ext    string
		canvas func() vg.CanvasWriterTo
	}{
		{"png", func() vg.CanvasWriterTo {
			return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(DPI))}
		}},
		{"svg", func() vg.CanvasWriterTo {
			return vgsvg.NewWith(vgsvg.UseWH(Width, Height), vgsvg.EmbedFonts(false))
		}},
	}
	var paths []string
	for _, f := range formats {
		path := filepath.Join(dir, name+"."+f.ext)
		c := f.canvas()
		err := drawFigure(p, c)
		if err == nil {
			err = writeAtomic(path, c)
		}
		if err != nil {
			return paths, fmt.Errorf("chart: save %s: %w", path, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// drawFigure draws p on c with its legend in a column to the right of the
// axes. It also centres the axis labels on the data area itself:
// gonum/plot reserves room for them at the linear midpoint of the data
// range, which on a log axis lies near the end and needlessly squeezes the
// axes. gonum/plot panics on some bad plots (a non-positive value on a log
// axis); the panic is returned as an error instead.
func drawFigure(p *plot.Plot, c vg.CanvasWriterTo) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("draw: %v", r)
		}
	}()
	dc := draw.New(c)
	if p.BackgroundColor != nil { // the legend column is outside the plot's own background
		dc.SetColor(p.BackgroundColor)
		dc.Fill(dc.Rectangle.Path())
	}
	legend := p.Legend
	legend.Top, legend.Left = true, true
	legend.XOffs, legend.YOffs = 0, 0
	axes := dc
	if w := legend.Rectangle(dc).Size().X; w > 0 {
		axes = draw.Crop(dc, 0, -(w + 2*legendGap), 0, 0)
	}
	body := *p
	body.Legend = plot.NewLegend()
	xLabel, yLabel := p.X.Label, p.Y.Label
	if xLabel.Text != "" {
		body.X.Label.Text = " " // keeps the label's room
	}
	if yLabel.Text != "" {
		body.Y.Label.Text = " "
	}
	body.Draw(axes)
	data := body.DataCanvas(axes)
	if xLabel.Text != "" {
		sty := xLabel.TextStyle
		dc.FillText(sty, vg.Point{X: data.Center().X, Y: axes.Min.Y + sty.FontExtents().Descent}, xLabel.Text)
	}
	if yLabel.Text != "" {
		sty := yLabel.TextStyle
		x := axes.Min.X + sty.Height(yLabel.Text) - sty.FontExtents().Descent
		sty.Rotation += math.Pi / 2
		dc.FillText(sty, vg.Point{X: x, Y: data.Center().Y}, yLabel.Text)
	}
	legend.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: axes.Max.X + legendGap, Y: dc.Min.Y},
		Max: vg.Point{X: dc.Max.X - legendGap, Y: data.Max.Y},
	}})
	return nil
}

// writeAtomic writes w to a temporary file beside path and renames it into
// place.
func writeAtomic(path string, w io.WriterTo) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := w.WriteTo(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
