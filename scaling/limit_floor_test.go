package scaling

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSizeFloors: on losses that approach the entropy H with D whatever N
// is (a source every size can represent), each size's floor finds H, while
// a size with too few budgets is left out.
func TestSizeFloors(t *testing.T) {
	const h = 1.964
	rng := rand.New(rand.NewPCG(3, 4))
	var pts []Point
	for _, n := range []float64{1e5, 2e5, 4e5} {
		for _, d := range []float64{1.25e5, 2.5e5, 5e5, 1e6, 2e6, 4e6} {
			loss := (h + 40/math.Pow(d, 0.35)) * math.Exp(0.002*rng.NormFloat64())
			pts = append(pts, Point{Params: n, Tokens: d, Loss: loss})
		}
	}
	pts = append(pts, Point{Params: 8e5, Tokens: 1e6, Loss: 2.3}, Point{Params: 8e5, Tokens: 2e6, Loss: 2.2})
	floors := sizeFloors(pts, DefaultHuberDelta)
	if len(floors) != 3 {
		t.Fatalf("%d floors, want one per size with four or more budgets (3): %+v", len(floors), floors)
	}
	for _, f := range floors {
		if !f.Converged || math.Abs(f.E-h) > 0.1 || math.Abs(f.Beta-0.35) > 0.15 {
			t.Errorf("N = %g: floor E %.4f beta %.3f (converged %v), want E %.3f within 0.1 and beta 0.35 within 0.15", f.Params, f.E, f.Beta, f.Converged, h)
		}
	}
	s := floorSentence(floors, h)
	if !strings.Contains(s, "at N = 4e+05") || !strings.Contains(s, "from H = 1.964") {
		t.Errorf("floor sentence %q does not name the largest size and H", s)
	}
	if floorSentence(nil, h) != "" {
		t.Error("a sentence about no floors")
	}
}

func TestJoinList(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{{nil, ""}, {[]string{"a"}, "a"}, {[]string{"a", "b"}, "a and b"}, {[]string{"a", "b", "c"}, "a, b and c"}} {
		if got := joinList(c.in); got != c.want {
			t.Errorf("joinList(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestEntropySentenceWideInterval: an interval for E that contains H only
// because it is wide says so, rather than that the floor is found.
func TestEntropySentenceWideInterval(t *testing.T) {
	wideCheck := CheckEntropy(Interval{Value: 0.73, Lo: 0.72, Hi: 1.99}, 1.964)
	wide := entropySentence(&wideCheck)
	if !strings.Contains(wide, "does not pin the floor down") {
		t.Errorf("wide interval: %q", wide)
	}
	narrowCheck := CheckEntropy(Interval{Value: 1.95, Lo: 1.9, Hi: 2.0}, 1.964)
	narrow := entropySentence(&narrowCheck)
	if !strings.Contains(narrow, "the data's own") {
		t.Errorf("narrow interval: %q", narrow)
	}
}
