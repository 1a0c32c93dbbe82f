// Package chart draws the figures of a scaling-law study as gonum/plot
// plots that can go into a paper: loss curves, the compute frontier,
// IsoFLOP profiles, contours of a fitted L(N, D), held-out extrapolation
// and residuals.
//
// Every builder validates its input and returns an error naming the
// argument and index of the first bad value, because gonum/plot panics on
// non-positive values on log axes and on NaN. The figures share one look:
// log axes with decade ticks written 10⁶ and unlabelled minor ticks, light
// major and minor grid lines inside a full frame, serif text sized for a
// 6 x 4.5 in figure, and one perceptually ordered colour ramp (dark for the
// smallest model or budget, light for the largest) paired with a distinct
// marker shape per colour, so the figures stay readable in greyscale.
//
// Save writes a plot as PNG and SVG and places the legend in a column to
// the right of the axes, where it never covers data. A plot drawn by other
// means (plot.Save, WriterTo) keeps its legend inside the top-left corner
// of the axes.
package chart
