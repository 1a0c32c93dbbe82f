package chart

import (
	"fmt"
	"math"
)

// contourGrid is how many law evaluations a lawGrid makes along each axis.
const contourGrid = 80

// lawGrid is L(N, D) sampled on a regular grid in log10 N x log10 D; it
// implements plotter.GridXYZ.
type lawGrid struct {
	x, y       []float64 // log10 N of each column, log10 D of each row
	z          []float64 // row-major: z[r*len(x)+c]
	zmin, zmax float64
}

// newLawGrid validates the ranges and evaluates law over them.
func newLawGrid(law func(n, d float64) float64, nRange, dRange [2]float64) (*lawGrid, error) {
	if law == nil {
		return nil, fmt.Errorf("law is nil: want L(N, D)")
	}
	for _, r := range []struct {
		name string
		v    [2]float64
	}{{"nRange", nRange}, {"dRange", dRange}} {
		for i, v := range r.v {
			if err := checkPositive(fmt.Sprintf("%s[%d]", r.name, i), v); err != nil {
				return nil, err
			}
		}
		if !(r.v[0] < r.v[1]) {
			return nil, fmt.Errorf("%s = %v: want [lo, hi] with lo < hi", r.name, r.v)
		}
	}
	g := &lawGrid{
		x:    make([]float64, contourGrid),
		y:    make([]float64, contourGrid),
		z:    make([]float64, contourGrid*contourGrid),
		zmin: math.Inf(1),
		zmax: math.Inf(-1),
	}
	for i := range contourGrid {
		g.x[i] = math.Log10(logSpace(nRange[0], nRange[1], i, contourGrid))
		g.y[i] = math.Log10(logSpace(dRange[0], dRange[1], i, contourGrid))
	}
	for r, ly := range g.y {
		for c, lx := range g.x {
			n, d := math.Pow(10, lx), math.Pow(10, ly)
			v := law(n, d)
			if err := checkFinite(fmt.Sprintf("law(N=%.4g, D=%.4g)", n, d), v); err != nil {
				return nil, err
			}
			g.z[r*len(g.x)+c] = v
			g.zmin, g.zmax = math.Min(g.zmin, v), math.Max(g.zmax, v)
		}
	}
	if g.zmin == g.zmax {
		return nil, fmt.Errorf("law is constant (%v) over nRange x dRange: nothing to contour", g.zmin)
	}
	return g, nil
}

// Dims implements plotter.GridXYZ.
func (g *lawGrid) Dims() (c, r int) { return len(g.x), len(g.y) }

// Z implements plotter.GridXYZ.
func (g *lawGrid) Z(c, r int) float64 { return g.z[r*len(g.x)+c] }

// X implements plotter.GridXYZ.
func (g *lawGrid) X(c int) float64 { return g.x[c] }

// Y implements plotter.GridXYZ.
func (g *lawGrid) Y(r int) float64 { return g.y[r] }

// bounds returns the grid's extent in log10 coordinates.
func (g *lawGrid) bounds() (x0, x1, y0, y1 float64) {
	return g.x[0], g.x[len(g.x)-1], g.y[0], g.y[len(g.y)-1]
}
