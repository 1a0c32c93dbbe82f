package chart

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/plateau-lab/plateau/scaling"
)

// Contour chart sizes.
const (
	maxLevels      = 10  // most contour levels
	maxIsoCompute  = 5   // most iso-compute lines
	optimalSamples = 200 // points along the compute-optimal line
)

// Contours plots the contours of a fitted loss L(N, D) over nRange x dRange
// in log10 N and log10 D (the axes are labelled with N and D themselves),
// each level a colour from the ramp, darkest for the lowest loss, and
// labelled with its loss on the line. Dashed grey lines mark a few
// iso-compute budgets C = 6ND, labelled with C; optimal, when not nil,
// draws the compute-optimal allocation (N, D) as a black line where it lies
// inside the ranges; the measured runs (points, may be nil) are hollow
// circles. The plot shows where the runs sit relative to the optimum and
// how far beyond them the fit is being read.
func Contours(law func(n, d float64) float64, nRange, dRange [2]float64, optimal func(c float64) (n, d float64), points []scaling.Point) (*plot.Plot, error) {
	g, err := newLawGrid(law, nRange, dRange)
	if err != nil {
		return nil, fmt.Errorf("chart: contours: %w", err)
	}
	if err := checkPoints("points", points, needParams|needTokens); err != nil {
		return nil, fmt.Errorf("chart: contours: %w", err)
	}
	p := newPlot("Fitted loss L(N, D) (nats/token)", labelParams, labelTokens, false, false)
	p.X.Tick.Marker, p.Y.Tick.Marker = logTicks{exponent: true}, logTicks{exponent: true}
	var optimalPath []plotter.XYs
	if optimal != nil {
		if optimalPath, err = optimalRuns(g, optimal); err != nil {
			return nil, fmt.Errorf("chart: contours: %w", err)
		}
	}
	runs := make(plotter.XYs, len(points))
	for i, pt := range points {
		runs[i] = plotter.XY{X: math.Log10(pt.Params), Y: math.Log10(pt.Tokens)}
	}
	levelLabels := addLevels(p, g, slices.Concat(slices.Concat(optimalPath...), runs))
	if err := addIsoCompute(p, g); err != nil {
		return nil, fmt.Errorf("chart: contours: %w", err)
	}
	for i, run := range optimalPath {
		l, err := newLine(run, draw.LineStyle{Color: color.Black, Width: 1.8})
		if err != nil {
			return nil, fmt.Errorf("chart: contours: compute-optimal line: %w", err)
		}
		p.Add(l)
		if i == 0 {
			p.Legend.Add("compute-optimal N, D", l)
		}
	}
	if len(runs) > 0 {
		s, err := newScatter(runs, glyph(circle, color.Black, true))
		if err != nil {
			return nil, fmt.Errorf("chart: contours: points: %w", err)
		}
		p.Add(s)
		p.Legend.Add("measured runs", s)
	}
	p.Add(levelLabels, frame{})
	return p, nil
}

// addLevels draws the contour levels, each in a colour from the ramp
// (darkest for the lowest loss), and returns their labels, placed on the
// lines clear of the points in avoid, for the caller to add on top of
// everything else. Should some level find no place for its label, the
// legend lists every level too.
func addLevels(p *plot.Plot, g *lawGrid, avoid []plotter.XY) *inlineLabels {
	levels := niceLevels(g.zmin, g.zmax, maxLevels)
	colours := ramp(len(levels))
	at, found := g.levelLabelPositions(levels, avoid)
	labels := newInlineLabels(8, color.Black)
	var styles []draw.LineStyle
	for i, z := range levels {
		sty := draw.LineStyle{Color: colours[i], Width: 1.2}
		styles = append(styles, sty)
		p.Add(&plotter.Contour{GridXYZ: g, Levels: []float64{z}, LineStyles: []draw.LineStyle{sty}, Min: g.zmin, Max: g.zmax})
		if found[i] {
			labels.add(at[i].X, at[i].Y, formatPlain(z))
		}
	}
	if slices.Contains(found, false) {
		for i, z := range levels {
			p.Legend.Add("L = "+formatPlain(z), &plotter.Line{LineStyle: styles[i]})
		}
	}
	return labels
}

// niceLevels picks at most n contour levels strictly between lo and hi from
// the round values 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten,
// which are spaced roughly evenly in log, as loss surfaces are. A range too
// narrow for three of them gets the ticks of a linear axis over it instead.
func niceLevels(lo, hi float64, n int) []float64 {
	var levels []float64
	if lo > 0 {
		mantissas := []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8}
		for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
			for _, m := range mantissas {
				if v := m * math.Pow(10, e); v > lo && v < hi {
					levels = append(levels, v)
				}
			}
		}
	}
	if len(levels) < 3 {
		// Too narrow for the log series: the round values of a linear axis.
		levels = levels[:0]
		for _, t := range (linearTicks{}).Ticks(lo, hi) {
			if t.Value > lo && t.Value < hi {
				levels = append(levels, t.Value)
			}
		}
	}
	step := (len(levels) + n - 1) / n
	var out []float64
	for i := 0; i < len(levels); i += step {
		out = append(out, levels[i])
	}
	return out
}

// isoLabelAt is how far along its line, from the upper left, an
// iso-compute label sits.
const isoLabelAt = 0.12

// addIsoCompute draws dashed lines of constant C = 6ND for up to
// maxIsoCompute decades of C that cross the grid well inside its corners,
// each labelled on the line with its C near its upper-left end.
func addIsoCompute(p *plot.Plot, g *lawGrid) error {
	x0, x1, y0, y1 := g.bounds()
	lo := math.Ceil(math.Log10(6) + x0 + y0 + 0.5) // log10 C, half a decade in from the corners
	hi := math.Floor(math.Log10(6) + x1 + y1 - 0.5)
	if lo > hi {
		return nil
	}
	step := math.Ceil((hi - lo + 1) / maxIsoCompute)
	style := draw.LineStyle{Color: color.Gray{Y: 0x80}, Width: 0.8, Dashes: dashed()}
	labels := newInlineLabels(7.5, color.Gray{Y: 0x50})
	for e := lo; e <= hi; e += step {
		k := e - math.Log10(6) // log10 D = k - log10 N
		xa, xb := math.Max(x0, k-y1), math.Min(x1, k-y0)
		if xa >= xb {
			continue
		}
		l, err := newLine(plotter.XYs{{X: xa, Y: k - xa}, {X: xb, Y: k - xb}}, style)
		if err != nil {
			return fmt.Errorf("iso-compute line C = 1e%g: %w", e, err)
		}
		p.Add(l)
		x := xa + isoLabelAt*(xb-xa)
		labels.add(x, k-x, formatPow(math.Pow(10, e)))
		if len(labels.labels) == 1 {
			p.Legend.Add("iso-compute C = 6ND (FLOPs)", l)
		}
	}
	p.Add(labels)
	return nil
}

// optimalRuns samples the compute-optimal allocation optimal(C) for C
// across the grid's compute range and returns the stretches that lie inside
// the grid, in grid coordinates.
func optimalRuns(g *lawGrid, optimal func(c float64) (n, d float64)) ([]plotter.XYs, error) {
	x0, x1, y0, y1 := g.bounds()
	cLo, cHi := 6*math.Pow(10, x0+y0), 6*math.Pow(10, x1+y1)
	var run plotter.XYs
	var runs []plotter.XYs
	for i := range optimalSamples {
		c := logSpace(cLo, cHi, i, optimalSamples)
		n, d := optimal(c)
		if err := checkPositive(fmt.Sprintf("optimal(%.4g).n", c), n); err != nil {
			return nil, err
		}
		if err := checkPositive(fmt.Sprintf("optimal(%.4g).d", c), d); err != nil {
			return nil, err
		}
		x, y := math.Log10(n), math.Log10(d)
		if x < x0 || x > x1 || y < y0 || y > y1 {
			if len(run) > 1 {
				runs = append(runs, run)
			}
			run = nil
			continue
		}
		run = append(run, plotter.XY{X: x, Y: y})
	}
	if len(run) > 1 {
		runs = append(runs, run)
	}
	return runs, nil
}
