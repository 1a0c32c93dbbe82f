package scaling

import (
	"math"
	"strings"
	"testing"
)

// TestFitDataFloor: L(D) = E + B/D^beta is recovered from exact points of
// a known curve, and at its knee the local exponent -d ln L / d ln D is
// half of beta.
func TestFitDataFloor(t *testing.T) {
	const e, b, beta = 2.0, 50.0, 0.3
	law := func(d float64) float64 { return e + b*math.Pow(d, -beta) }
	var ds, ls []float64
	for d := 1e4; d <= 1e9; d *= 4 {
		ds, ls = append(ds, d), append(ls, law(d))
	}
	f, err := FitDataFloor(ds, ls, 0)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][2]float64{"E": {f.E, e}, "B": {f.B, b}, "beta": {f.Beta, beta}} {
		if math.Abs(got[0]/got[1]-1) > 0.02 {
			t.Errorf("%s = %v, want %v", name, got[0], got[1])
		}
	}
	k := f.Knee()
	const h = 1e-4
	local := -(math.Log(law(k*math.Exp(h))) - math.Log(law(k*math.Exp(-h)))) / (2 * h)
	if math.Abs(local-beta/2) > 0.01 {
		t.Errorf("local exponent at the knee D = %.4g is %.4g, want beta/2 = %.4g", k, local, beta/2)
	}
	if _, err := FitDataFloor(ds[:3], ls[:3], 0); err == nil {
		t.Error("three points fitted; want an error")
	}
	if k := (&DataFloor{E: 0, B: 1, Beta: 0.3}).Knee(); !math.IsNaN(k) {
		t.Errorf("knee without a floor = %v, want NaN", k)
	}
}

// TestBendSentence: the sentence says where the knee's interval lies
// against the range trained over.
func TestBendSentence(t *testing.T) {
	slopes := []LocalSlope{{From: 1e6, To: 4e6, Exponent: 0.3}, {From: 4e6, To: 1.6e7, Exponent: 0.2}}
	for _, tc := range []struct {
		knee Interval
		want string
	}{
		{Interval{Value: 1e8, Lo: 5e7, Hi: 2e8}, "does not bend within the runs"},
		{Interval{Value: 1e5, Lo: 5e4, Hi: 2e5}, "had bent before the smallest D"},
		{Interval{Value: 4e6, Lo: 3e6, Hi: 6e6}, "bends within the runs"},
		{Interval{Value: 4e6, Lo: 3e5, Hi: 6e7}, "reaches outside the runs"},
		{Interval{Value: 4e6, Lo: math.NaN(), Hi: math.NaN()}, "do not place the bend"},
	} {
		b := Bend{Arch: "lstm", Along: "D", At: 1e6, Knee: tc.knee, Lo: 1e6, Hi: 1.6e7, Slopes: slopes}
		if s := bendSentence(b, 0.95); !strings.Contains(s, tc.want) {
			t.Errorf("knee %v: %q lacks %q", tc.knee, s, tc.want)
		}
	}
}
