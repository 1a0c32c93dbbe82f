package scaling

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// isoFLOPPoints samples each budget at sizes spread by factors of 1/8 to
// 8 around offset times the law's N_opt, with log-normal noise sigma.
func isoFLOPPoints(law Law, budgets []float64, sizes int, offset, sigma float64, rng *rand.Rand) []Point {
	var pts []Point
	for _, c := range budgets {
		nOpt, _ := law.Optimal(c)
		for _, n := range logspace(nOpt*offset/8, nOpt*offset*8, sizes) {
			d := c / (6 * n)
			pts = append(pts, Point{Params: n, Tokens: d, Loss: law.Loss(n, d) * math.Exp(sigma*rng.NormFloat64())})
		}
	}
	return pts
}

func TestFitIsoFLOPRecoversAllocationExponents(t *testing.T) {
	budgets := logspace(1e17, 1e21, 5)
	pts := isoFLOPPoints(synthLaw, budgets, 9, 1, 0.002, rand.New(rand.NewPCG(1, 2)))
	f, err := FitIsoFLOP(pts, IsoFLOPOptions{Bootstrap: BootstrapOptions{Resamples: 100}})
	if err != nil {
		t.Fatal(err)
	}
	a, b := synthLaw.AllocationExponents()
	if len(f.Profiles) != len(budgets) || f.Usable != len(budgets) || f.NOpt == nil {
		t.Fatalf("%d profiles, %d usable, N_opt %v (note %q); want %d usable", len(f.Profiles), f.Usable, f.NOpt, f.Note, len(budgets))
	}
	t.Logf("a = %v (law %.4f), b = %v (law %.4f)", f.NOpt.Exponent, a, f.DOpt.Exponent, b)
	if math.Abs(f.NOpt.Exponent.Value-a) > 0.02 || math.Abs(f.DOpt.Exponent.Value-b) > 0.02 {
		t.Errorf("exponents a = %.4f, b = %.4f; the law's are %.4f, %.4f", f.NOpt.Exponent.Value, f.DOpt.Exponent.Value, a, b)
	}
	if !f.NOpt.Exponent.Contains(a) {
		t.Errorf("a's interval %v misses the law's %.4f", f.NOpt.Exponent, a)
	}
	for _, p := range f.Profiles {
		nOpt, _ := synthLaw.Optimal(p.Compute)
		if math.Abs(math.Log(p.NOpt/nOpt)) > 0.15 {
			t.Errorf("profile at C %.3g: N_opt %.4g, the law's %.4g", p.Compute, p.NOpt, nOpt)
		}
		// The stored coefficients describe the parabola in ln N.
		x := math.Log(p.NOpt)
		if l := p.Coef[0] + p.Coef[1]*x + p.Coef[2]*x*x; math.Abs(l-p.LossOpt) > 1e-9 {
			t.Errorf("profile at C %.3g: parabola at N_opt %.6g, LossOpt %.6g", p.Compute, l, p.LossOpt)
		}
	}
}

func TestFitIsoFLOPReportsUnusableProfiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	good := isoFLOPPoints(synthLaw, []float64{1e18, 1e19}, 7, 1, 0.001, rng)
	// Sizes all far above the optimum: the minimum lies outside them.
	offside := isoFLOPPoints(synthLaw, []float64{1e20}, 5, 400, 0.001, rng)
	// Two sizes only.
	two := isoFLOPPoints(synthLaw, []float64{1e21}, 2, 1, 0.001, rng)
	// A profile whose loss peaks in the middle.
	var peak []Point
	for i, n := range []float64{1e7, 2e7, 4e7, 8e7, 1.6e8} {
		peak = append(peak, Point{Params: n, Tokens: 1e22 / (6 * n), Loss: 3 - 0.1*math.Abs(float64(i)-2)})
	}
	pts := append(append(append(good, offside...), two...), peak...)
	f, err := FitIsoFLOP(pts, IsoFLOPOptions{Bootstrap: BootstrapOptions{Resamples: 20}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "", "lies outside the sampled sizes", "2 distinct model sizes, a parabola needs at least 3", "opens downward"}
	if len(f.Profiles) != len(want) {
		t.Fatalf("%d profiles, want %d", len(f.Profiles), len(want))
	}
	for i, p := range f.Profiles {
		if p.Usable != (want[i] == "") || !strings.Contains(p.Reason, want[i]) {
			t.Errorf("profile %d at C %.3g: usable %v, reason %q; want reason containing %q", i, p.Compute, p.Usable, p.Reason, want[i])
		}
	}
	if f.Usable != 2 || f.NOpt == nil || !strings.Contains(f.Note, "only 2 profiles") {
		t.Errorf("%d usable, N_opt %v, note %q; want 2 usable, a fit and a note", f.Usable, f.NOpt, f.Note)
	}
}

func TestFitIsoFLOPGrouping(t *testing.T) {
	pts := []Point{
		{Params: 1, Tokens: 1, FLOPs: 100, Loss: 1}, {Params: 2, Tokens: 1, FLOPs: 109, Loss: 1},
		{Params: 3, Tokens: 1, FLOPs: 111, Loss: 1}, {Params: 4, Tokens: 1, FLOPs: 1000, Loss: 1},
	}
	groups := groupByCompute(pts, IsoFLOPOptions{})
	if len(groups) != 3 || len(groups[0]) != 2 {
		t.Errorf("10%% tolerance grouped %v, want [[0 1] [2] [3]]", groups)
	}
	byBudget := groupByCompute(pts, IsoFLOPOptions{Budget: func(p Point) float64 { return math.Round(p.FLOPs / 500) }})
	if len(byBudget) != 2 || len(byBudget[0]) != 3 {
		t.Errorf("budget grouping gave %v, want [[0 1 2] [3]]", byBudget)
	}
	_, err := FitIsoFLOP(pts, IsoFLOPOptions{Budget: func(p Point) float64 { return 0 }})
	if err == nil || !strings.Contains(err.Error(), "budget = 0") {
		t.Errorf("zero budget: error %v", err)
	}
	_, err = FitIsoFLOP(pts, IsoFLOPOptions{})
	if err == nil || !strings.Contains(err.Error(), "none of the 3 compute budgets has 3 distinct model sizes") {
		t.Errorf("no profile: error %v", err)
	}
}
