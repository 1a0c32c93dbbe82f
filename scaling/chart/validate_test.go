package chart

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot"

	"github.com/plateau-lab/plateau/scaling"
)

// TestBadInput checks that every chart rejects bad input with an error
// that names the argument and index, and never panics.
func TestBadInput(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	curve := scaling.Curve{Params: 1e6, Tokens: []float64{1e6, 1e7}, Loss: []float64{4, 3}}
	pt := scaling.Point{Params: 1e6, Tokens: 1e7, Loss: 3}
	group := IsoGroup{FLOPs: 1e15, Params: []float64{1e5, 1e6, 1e7}, Loss: []float64{4, 3, 4},
		Parabola: [3]float64{30, -3.5, 0.1}, MinParams: 3e7, Fitted: true}
	law := func(n, d float64) float64 { return sweepLaw(n, d) }
	pred := Prediction{Point: pt, Pred: 3, Lo: 2.9, Hi: 3.1}
	nR, dR := [2]float64{1e5, 1e8}, [2]float64{1e6, 1e9}

	with := func(f func(*scaling.Point)) scaling.Point { p := pt; f(&p); return p }
	withGroup := func(f func(*IsoGroup)) IsoGroup {
		g := group
		g.Params, g.Loss = append([]float64(nil), group.Params...), append([]float64(nil), group.Loss...)
		f(&g)
		return g
	}
	cases := []struct {
		name  string
		build func() (*plot.Plot, error)
		want  string
	}{
		{"curves empty", func() (*plot.Plot, error) { return LossCurves(nil, 0) }, "curves is empty"},
		{"reducible empty", func() (*plot.Plot, error) { return ReducibleLoss(nil, 1, nil, nil) }, "points is empty"},
		{"reducible tokens zero", func() (*plot.Plot, error) {
			return ReducibleLoss([]scaling.Point{pt, with(func(p *scaling.Point) { p.Tokens = 0 })}, 1, nil, nil)
		}, "points[1].Tokens = 0"},
		{"reducible no entropy", func() (*plot.Plot, error) { return ReducibleLoss([]scaling.Point{pt}, 0, nil, nil) }, "entropy = 0"},
		{"reducible all below H", func() (*plot.Plot, error) { return ReducibleLoss([]scaling.Point{pt}, 3, law, nil) }, "no run lies above H = 3"},
		{"curve params zero", func() (*plot.Plot, error) {
			return LossCurves([]scaling.Curve{curve, {Tokens: curve.Tokens, Loss: curve.Loss}}, 0)
		}, "curves[1].Params = 0"},
		{"curve lengths differ", func() (*plot.Plot, error) {
			return LossCurves([]scaling.Curve{{Params: 1, Tokens: []float64{1, 2}, Loss: []float64{1}}}, 0)
		}, "len(curves[0].Tokens) = 2 but len(curves[0].Loss) = 1"},
		{"curve no points", func() (*plot.Plot, error) {
			return LossCurves([]scaling.Curve{{Params: 1}}, 0)
		}, "curves[0].Tokens is empty"},
		{"curve loss NaN", func() (*plot.Plot, error) {
			return LossCurves([]scaling.Curve{{Params: 1, Tokens: []float64{1, 2}, Loss: []float64{1, nan}}}, 0)
		}, "curves[0].Loss[1] = NaN"},
		{"curve tokens negative", func() (*plot.Plot, error) {
			return LossCurves([]scaling.Curve{{Params: 1, Tokens: []float64{-1}, Loss: []float64{1}}}, 0)
		}, "curves[0].Tokens[0] = -1"},
		{"entropy NaN", func() (*plot.Plot, error) { return LossCurves([]scaling.Curve{curve}, nan) }, "entropy = NaN"},
		{"entropy negative", func() (*plot.Plot, error) { return LossCurves([]scaling.Curve{curve}, -1) }, "entropy = -1"},

		{"frontier points empty", func() (*plot.Plot, error) { return Frontier(nil, nil, nil) }, "points is empty"},
		{"frontier loss zero", func() (*plot.Plot, error) {
			return Frontier([]scaling.Point{pt, pt, with(func(p *scaling.Point) { p.Loss = 0 })}, nil, nil)
		}, "points[2].Loss = 0"},
		{"frontier params Inf", func() (*plot.Plot, error) {
			return Frontier([]scaling.Point{with(func(p *scaling.Point) { p.Params = inf })}, nil, nil)
		}, "points[0].Params = +Inf"},
		{"frontier compute zero", func() (*plot.Plot, error) {
			return Frontier([]scaling.Point{pt}, []scaling.Point{with(func(p *scaling.Point) { p.Tokens = 0 })}, nil)
		}, "frontier[0].Compute() = 0"},
		{"frontier law NaN", func() (*plot.Plot, error) {
			return Frontier([]scaling.Point{pt}, nil, func(float64) float64 { return nan })
		}, "law(6e+13) = NaN"},
		{"frontier law negative", func() (*plot.Plot, error) {
			return Frontier([]scaling.Point{pt}, nil, func(float64) float64 { return -1 })
		}, "= -1: want a finite value > 0"},

		{"isoflop empty", func() (*plot.Plot, error) { return IsoFLOP(nil) }, "groups is empty"},
		{"isoflop budget zero", func() (*plot.Plot, error) {
			return IsoFLOP([]IsoGroup{group, withGroup(func(g *IsoGroup) { g.FLOPs = 0 })})
		}, "groups[1].FLOPs = 0"},
		{"isoflop lengths differ", func() (*plot.Plot, error) {
			return IsoFLOP([]IsoGroup{withGroup(func(g *IsoGroup) { g.Loss = g.Loss[:2] })})
		}, "len(groups[0].Params) = 3 but len(groups[0].Loss) = 2"},
		{"isoflop params negative", func() (*plot.Plot, error) {
			return IsoFLOP([]IsoGroup{withGroup(func(g *IsoGroup) { g.Params[1] = -5 })})
		}, "groups[0].Params[1] = -5"},
		{"isoflop loss Inf", func() (*plot.Plot, error) {
			return IsoFLOP([]IsoGroup{withGroup(func(g *IsoGroup) { g.Loss[2] = inf })})
		}, "groups[0].Loss[2] = +Inf"},
		{"isoflop parabola NaN", func() (*plot.Plot, error) {
			return IsoFLOP([]IsoGroup{withGroup(func(g *IsoGroup) { g.Parabola[2] = nan })})
		}, "groups[0].Parabola[2] = NaN"},
		{"isoflop minimum zero", func() (*plot.Plot, error) {
			return IsoFLOP([]IsoGroup{withGroup(func(g *IsoGroup) { g.MinParams = 0 })})
		}, "groups[0].MinParams = 0"},

		{"contours law nil", func() (*plot.Plot, error) { return Contours(nil, nR, dR, nil, nil) }, "law is nil"},
		{"contours nRange zero", func() (*plot.Plot, error) {
			return Contours(law, [2]float64{0, 1e6}, dR, nil, nil)
		}, "nRange[0] = 0"},
		{"contours dRange reversed", func() (*plot.Plot, error) {
			return Contours(law, nR, [2]float64{1e9, 1e6}, nil, nil)
		}, "dRange = [1e+09 1e+06]: want [lo, hi] with lo < hi"},
		{"contours law NaN", func() (*plot.Plot, error) {
			return Contours(func(n, d float64) float64 { return nan }, nR, dR, nil, nil)
		}, "law(N=1e+05, D=1e+06) = NaN"},
		{"contours law constant", func() (*plot.Plot, error) {
			return Contours(func(n, d float64) float64 { return 2 }, nR, dR, nil, nil)
		}, "law is constant"},
		{"contours optimal negative", func() (*plot.Plot, error) {
			return Contours(law, nR, dR, func(c float64) (float64, float64) { return -1, c }, nil)
		}, ".n = -1"},
		{"contours point tokens zero", func() (*plot.Plot, error) {
			return Contours(law, nR, dR, nil, []scaling.Point{with(func(p *scaling.Point) { p.Tokens = 0 })})
		}, "points[0].Tokens = 0"},

		{"extrapolation train empty", func() (*plot.Plot, error) { return Extrapolation(nil, nil, nil, nil) }, "train is empty"},
		{"extrapolation train loss NaN", func() (*plot.Plot, error) {
			return Extrapolation([]scaling.Point{with(func(p *scaling.Point) { p.Loss = nan })}, nil, nil, nil)
		}, "train[0].Loss = NaN"},
		{"extrapolation held-out compute", func() (*plot.Plot, error) {
			return Extrapolation([]scaling.Point{pt}, []scaling.Point{pt, with(func(p *scaling.Point) { p.Params = 0 })}, nil, nil)
		}, "heldOut[1].Compute() = 0"},
		{"extrapolation interval order", func() (*plot.Plot, error) {
			bad := pred
			bad.Lo = 3.2
			return Extrapolation([]scaling.Point{pt}, nil, []Prediction{pred, bad}, nil)
		}, "pred[1]: Lo = 3.2, Pred = 3, Hi = 3.1: want Lo <= Pred <= Hi"},
		{"extrapolation interval Inf", func() (*plot.Plot, error) {
			bad := pred
			bad.Hi = inf
			return Extrapolation([]scaling.Point{pt}, nil, []Prediction{bad}, nil)
		}, "pred[0].Hi = +Inf"},
		{"extrapolation prediction point", func() (*plot.Plot, error) {
			bad := pred
			bad.Point.Loss = 0
			return Extrapolation([]scaling.Point{pt}, nil, []Prediction{bad}, nil)
		}, "pred[0].Point.Loss = 0"},
		{"extrapolation law NaN", func() (*plot.Plot, error) {
			return Extrapolation([]scaling.Point{pt}, nil, nil, func(float64) float64 { return nan })
		}, "law(6e+13) = NaN"},

		{"residuals empty", func() (*plot.Plot, error) { return Residuals(nil, nil, nil) }, "points is empty"},
		{"residuals predicted length", func() (*plot.Plot, error) {
			return Residuals([]scaling.Point{pt, pt}, []float64{3}, nil)
		}, "len(points) = 2 but len(predicted) = 1"},
		{"residuals held-out length", func() (*plot.Plot, error) {
			return Residuals([]scaling.Point{pt}, []float64{3}, []bool{true, false})
		}, "len(points) = 1 but len(heldOut) = 2"},
		{"residuals predicted NaN", func() (*plot.Plot, error) {
			return Residuals([]scaling.Point{pt, pt}, []float64{3, nan}, nil)
		}, "predicted[1] = NaN"},
		{"residuals compute zero", func() (*plot.Plot, error) {
			return Residuals([]scaling.Point{with(func(p *scaling.Point) { p.Params = 0 })}, []float64{3}, nil)
		}, "points[0].Compute() = 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := c.build()
			if err == nil {
				t.Fatalf("got no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
			if p != nil {
				t.Fatalf("got a plot along with error %q", err)
			}
		})
	}
}
