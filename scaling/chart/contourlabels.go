package chart

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"
)

// Placing contour labels: each level is labelled at a point of its contour
// chosen from a few fractions of the way along it, the first that keeps
// clear of the frame, of the lines to avoid (the compute-optimal line) and
// of the labels already placed. Distances are in fractions of the axes.
const (
	labelClearFrame = 0.05
	labelClearLine  = 0.07
	labelClearLabel = 0.12
)

// crossings returns the points where the grid's rows and columns cross
// level z, by linear interpolation between neighbouring samples, in grid
// coordinates (log10 N, log10 D) and ordered along the contour for a loss
// that falls in both N and D (left to right, top to bottom).
func (g *lawGrid) crossings(z float64) []plotter.XY {
	var pts []plotter.XY
	cross := func(a, b float64) (float64, bool) {
		if (a-z)*(b-z) > 0 || a == b {
			return 0, false
		}
		return (z - a) / (b - a), true
	}
	for r := range g.y {
		for c := 1; c < len(g.x); c++ {
			if t, ok := cross(g.Z(c-1, r), g.Z(c, r)); ok {
				pts = append(pts, plotter.XY{X: g.x[c-1] + t*(g.x[c]-g.x[c-1]), Y: g.y[r]})
			}
		}
	}
	for c := range g.x {
		for r := 1; r < len(g.y); r++ {
			if t, ok := cross(g.Z(c, r-1), g.Z(c, r)); ok {
				pts = append(pts, plotter.XY{X: g.x[c], Y: g.y[r-1] + t*(g.y[r]-g.y[r-1])})
			}
		}
	}
	slices.SortFunc(pts, func(a, b plotter.XY) int {
		if c := cmp.Compare(a.X, b.X); c != 0 {
			return c
		}
		return cmp.Compare(b.Y, a.Y)
	})
	return pts
}

// levelLabelPositions returns, for each level, where to put its label, and
// whether one was found: a level whose contour misses the grid gets none.
func (g *lawGrid) levelLabelPositions(levels []float64, avoid []plotter.XY) ([]plotter.XY, []bool) {
	x0, x1, y0, y1 := g.bounds()
	norm := func(p plotter.XY) plotter.XY {
		return plotter.XY{X: (p.X - x0) / (x1 - x0), Y: (p.Y - y0) / (y1 - y0)}
	}
	far := func(p plotter.XY, others []plotter.XY, d float64) bool {
		for _, o := range others {
			if math.Hypot(p.X-o.X, p.Y-o.Y) < d {
				return false
			}
		}
		return true
	}
	var avoidN, placed []plotter.XY
	for _, a := range avoid {
		avoidN = append(avoidN, norm(a))
	}
	pos := make([]plotter.XY, len(levels))
	ok := make([]bool, len(levels))
	for i, z := range levels {
		pts := g.crossings(z)
		if len(pts) == 0 {
			continue
		}
		for j := range pts {
			pts[j] = norm(pts[j])
		}
		length := make([]float64, len(pts))
		for j := 1; j < len(pts); j++ {
			length[j] = length[j-1] + math.Hypot(pts[j].X-pts[j-1].X, pts[j].Y-pts[j-1].Y)
		}
		pick := pts[len(pts)/2]
		for _, f := range []float64{0.3, 0.7, 0.5, 0.15, 0.85} { // fractions of the contour's length
			j, _ := slices.BinarySearch(length, f*length[len(length)-1])
			p := pts[min(j, len(pts)-1)]
			inside := p.X > labelClearFrame && p.X < 1-labelClearFrame && p.Y > labelClearFrame && p.Y < 1-labelClearFrame
			if inside && far(p, avoidN, labelClearLine) && far(p, placed, labelClearLabel) {
				pick = p
				break
			}
		}
		placed = append(placed, pick)
		pos[i] = plotter.XY{X: x0 + pick.X*(x1-x0), Y: y0 + pick.Y*(y1-y0)}
		ok[i] = true
	}
	return pos, ok
}
