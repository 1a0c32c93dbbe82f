package chart_test

import (
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"

	"github.com/plateau-lab/plateau/scaling"
	"github.com/plateau-lab/plateau/scaling/chart"
)

// Example draws all six figures of a small study and saves each as PNG and
// SVG. The losses come from a known law, L = 1.7 + 400/N^0.34 + 400/D^0.28;
// in a real study they come from the sweep's runs and the fits.
func Example() {
	law := func(n, d float64) float64 { return 1.7 + 400/math.Pow(n, 0.34) + 400/math.Pow(d, 0.28) }
	// The compute-optimal split of C = 6ND for this law (Chinchilla's
	// closed form), and the loss along it.
	optimal := func(c float64) (n, d float64) {
		const alpha, beta = 0.34, 0.28
		n = math.Pow(alpha/beta, 1/(alpha+beta)) * math.Pow(c/6, beta/(alpha+beta))
		return n, c / 6 / n
	}
	lawC := func(c float64) float64 { return law(optimal(c)) }

	var points []scaling.Point
	var curves []scaling.Curve
	for _, n := range []float64{1e5, 1e6, 1e7} {
		curve := scaling.Curve{Params: n}
		for _, d := range []float64{1e6, 1e7, 1e8} {
			points = append(points, scaling.Point{Params: n, Tokens: d, Loss: law(n, d)})
			curve.Tokens = append(curve.Tokens, d)
			curve.Loss = append(curve.Loss, law(n, d))
		}
		curves = append(curves, curve)
	}
	// The largest run is held out of the fit and lands 5% above the law.
	held := len(points) - 1
	predicted := law(points[held].Params, points[held].Tokens)
	points[held].Loss *= 1.05
	train, heldOut := points[:held], points[held:]
	pred := []chart.Prediction{{Point: points[held], Pred: predicted, Lo: 0.98 * predicted, Hi: 1.02 * predicted}}
	fitted := make([]float64, len(points))
	for i, p := range points {
		fitted[i] = law(p.Params, p.Tokens)
	}
	isHeldOut := make([]bool, len(points))
	isHeldOut[held] = true
	// One IsoFLOP profile: three runs of 10^15 FLOPs and the parabola
	// loss = p0 + p1 ln N + p2 ln² N through them, with its minimum.
	parabola := [3]float64{84.5, -10.6402, 0.377223}
	iso := chart.IsoGroup{
		FLOPs: 1e15, Params: []float64{1e5, 1e6, 1e7}, Loss: []float64{12, 9.5, 11},
		Parabola: parabola, MinParams: math.Exp(-parabola[1] / (2 * parabola[2])), Fitted: true,
	}

	dir, err := os.MkdirTemp("", "chart-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	figures := []struct {
		name string
		plot func() (*plot.Plot, error)
	}{
		{"loss-curves", func() (*plot.Plot, error) { return chart.LossCurves(curves, 1.7) }},
		{"frontier", func() (*plot.Plot, error) { return chart.Frontier(points, points[:1], lawC) }},
		{"isoflop", func() (*plot.Plot, error) { return chart.IsoFLOP([]chart.IsoGroup{iso}) }},
		{"contours", func() (*plot.Plot, error) {
			return chart.Contours(law, [2]float64{1e5, 1e7}, [2]float64{1e6, 1e8}, optimal, points)
		}},
		{"extrapolation", func() (*plot.Plot, error) { return chart.Extrapolation(train, heldOut, pred, lawC) }},
		{"residuals", func() (*plot.Plot, error) { return chart.Residuals(points, fitted, isHeldOut) }},
	}
	for _, f := range figures {
		p, err := f.plot()
		if err != nil {
			log.Fatal(err)
		}
		paths, err := chart.Save(p, dir, f.name)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(filepath.Base(paths[0]), filepath.Base(paths[1]))
	}
	// Output:
	// loss-curves.png loss-curves.svg
	// frontier.png frontier.svg
	// isoflop.png isoflop.svg
	// contours.png contours.svg
	// extrapolation.png extrapolation.svg
	// residuals.png residuals.svg
}
