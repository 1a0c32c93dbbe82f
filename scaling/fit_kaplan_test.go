package scaling

import (
	"math"
	"strings"
	"testing"
)

func TestFitKaplanRecoversLaws(t *testing.T) {
	const nc, an, dc, ad = 8.8e13, 0.076, 5.4e13, 0.095
	// The D term vanishes at the largest D, so L(N) is exact there.
	ds := logspace(1e8, 1e11, 4)
	dMax := ds[len(ds)-1]
	var pts []Point
	for _, n := range logspace(1e5, 1e9, 6) {
		for _, d := range ds {
			loss := math.Pow(nc/n, an) + 0.01*(dMax/d-1)
			pts = append(pts, Point{Params: n, Tokens: d, Loss: loss})
		}
	}
	fn, err := FitKaplanN(pts, BootstrapOptions{Resamples: 30})
	if err != nil {
		t.Fatal(err)
	}
	if len(fn.Selected) != 6 {
		t.Fatalf("selected %d runs, want one per N (6)", len(fn.Selected))
	}
	for _, p := range fn.Selected {
		if p.Tokens != dMax {
			t.Errorf("selected the run at N %.3g, D %.3g; want the largest D, %.3g", p.Params, p.Tokens, dMax)
		}
	}
	if math.Abs(fn.Exponent.Value-an) > 1e-9 || math.Abs(fn.Scale.Value/nc-1) > 1e-6 {
		t.Errorf("L(N): alpha_N = %v, N_c = %v; want %v, %v", fn.Exponent, fn.Scale, an, nc)
	}
	if l := fn.Loss(1e7); math.Abs(l-math.Pow(nc/1e7, an)) > 1e-9 {
		t.Errorf("Loss(1e7) = %v", l)
	}

	var dpts []Point
	for _, d := range logspace(1e8, 1e11, 5) {
		for _, n := range []float64{1e6, 1e12} {
			dpts = append(dpts, Point{Params: n, Tokens: d, Loss: math.Pow(dc/d, ad) + 1e3/n})
		}
	}
	fd, err := FitKaplanD(dpts, BootstrapOptions{Resamples: 30})
	if err != nil {
		t.Fatal(err)
	}
	if fd.Variable != "D" || math.Abs(fd.Exponent.Value-ad) > 1e-6 || math.Abs(fd.Scale.Value/dc-1) > 1e-3 {
		t.Errorf("L(D): alpha_D = %v, D_c = %v; want %v, %v", fd.Exponent, fd.Scale, ad, dc)
	}
}

func TestFitKaplanErrorsAndFlatLoss(t *testing.T) {
	pts := []Point{{Params: 1e6, Tokens: 1e9, Loss: 3}, {Params: 2e6, Tokens: 1e9, Loss: 2.9}}
	if _, err := FitKaplanN(pts, BootstrapOptions{}); err == nil || !strings.Contains(err.Error(), "need at least 3 distinct N, got 2") {
		t.Errorf("two sizes: error %v", err)
	}
	// Loss rising with N: no N_c exists, and the fit says so by leaving
	// it out rather than inventing one.
	rising := []Point{{Params: 1e6, Tokens: 1e9, Loss: 3}, {Params: 2e6, Tokens: 1e9, Loss: 3.1}, {Params: 4e6, Tokens: 1e9, Loss: 3.3}}
	f, err := FitKaplanN(rising, BootstrapOptions{Resamples: 10})
	if err != nil {
		t.Fatal(err)
	}
	if f.Exponent.Value >= 0 || !math.IsNaN(f.Scale.Value) {
		t.Errorf("rising loss: alpha_N = %v, N_c = %v; want a negative exponent and no N_c", f.Exponent, f.Scale)
	}
}
