package chart

import (
	"math"
	"testing"

	"gonum.org/v1/plot"

	"github.com/plateau-lab/plateau/scaling"
)

// TestReducibleLossTitle: the title gives H and counts the runs at or below
// it, which a log axis cannot show.
func TestReducibleLossTitle(t *testing.T) {
	pts := []scaling.Point{
		{Params: 1e5, Tokens: 1e6, Loss: 2.5},
		{Params: 1e5, Tokens: 4e6, Loss: 2.3},
		{Params: 4e5, Tokens: 4e6, Loss: 2.2}, // at H
		{Params: 4e5, Tokens: 1e7, Loss: 2.1}, // below H
	}
	for _, tc := range []struct {
		h    float64
		want string
	}{
		{2.0, "Reducible loss above H = 2 nats/token"},
		{2.2, "Reducible loss above H = 2.2 nats/token (2 runs at or below H not shown)"},
	} {
		p, err := ReducibleLoss(pts, tc.h, nil, []scaling.SizeFloor{{Params: 1e5, E: 2.25}, {Params: 4e5, E: 1.9}})
		if err != nil {
			t.Fatalf("H = %v: %v", tc.h, err)
		}
		if p.Title.Text != tc.want {
			t.Errorf("H = %v: title %q, want %q", tc.h, p.Title.Text, tc.want)
		}
		_, xLog := p.X.Scale.(plot.LogScale)
		_, yLog := p.Y.Scale.(plot.LogScale)
		if !xLog || !yLog {
			t.Errorf("H = %v: log axes %v and %v, want both", tc.h, xLog, yLog)
		}
	}
}

// TestReducibleLaw: the law's line is L(N, D) - H sampled over the D range,
// and stops at the first sample at or below H, where a log axis ends.
func TestReducibleLaw(t *testing.T) {
	law := func(n, d float64) float64 { return 2 + 1e3/d - 1e-7*d }
	xys := reducibleLaw(law, 1e5, 2, 1e2, 1e6)
	if len(xys) < 2 || len(xys) >= lawSamples {
		t.Fatalf("%d samples, want the part of %d above H only", len(xys), lawSamples)
	}
	for i, xy := range xys {
		if want := law(1e5, xy.X) - 2; !(xy.Y > 0) || math.Abs(xy.Y-want) > 1e-12 {
			t.Fatalf("sample %d at D = %g: %g, want L - H = %g > 0", i, xy.X, xy.Y, want)
		}
	}
	// The law crosses H where 1e3/D = 1e-7 D, at D = 1e5: the last
	// sample drawn lies before it, the next one (not drawn) at or after.
	last, next := xys[len(xys)-1].X, logSpace(1e2, 1e6, len(xys), lawSamples)
	if !(last < 1e5 && next >= 1e5*(1-1e-9)) {
		t.Errorf("the line ends at D = %g, the next sample at %g; want the crossing at D = 1e5 between them", last, next)
	}
	// A law that dips below H and comes back is drawn up to the dip only:
	// one line cannot jump the gap.
	dip := func(n, d float64) float64 { return 2 + math.Abs(math.Log(d/1e4)) - 0.5 }
	for _, xy := range reducibleLaw(dip, 1e5, 2, 1e2, 1e6) {
		if xy.X >= 1e4*math.Exp(-0.5) {
			t.Fatalf("a law below H from D = %g on is drawn at D = %g", 1e4*math.Exp(-0.5), xy.X)
		}
	}
	if got := reducibleLaw(func(n, d float64) float64 { return 1.5 }, 1e5, 2, 1e2, 1e6); len(got) != 0 {
		t.Errorf("a law below H everywhere gives %d samples, want none", len(got))
	}
	if got := reducibleLaw(func(n, d float64) float64 { return math.Inf(1) }, 1e5, 2, 1e2, 1e6); len(got) != 0 {
		t.Errorf("an infinite law gives %d samples, want none", len(got))
	}
}
