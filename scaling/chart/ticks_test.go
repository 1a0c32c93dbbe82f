package chart

import (
	"math"
	"slices"
	"testing"
)

// TestLogTicks checks which ticks a log axis labels across ranges of many
// decades, under two decades, and less than one step of 1..9.
func TestLogTicks(t *testing.T) {
	cases := []struct {
		name     string
		ticker   logTicks
		min, max float64
		labels   []string
		minor    int // minor ticks expected, -1 to skip the check
	}{
		{"decades", logTicks{}, 1e5, 1e8, []string{"10^{5}", "10^{6}", "10^{7}", "10^{8}"}, 3 * 8},
		{"decades with margins", logTicks{}, 7.6e3, 1.1e9, []string{"10^{4}", "10^{5}", "10^{6}", "10^{7}", "10^{8}", "10^{9}"}, -1},
		{"every third decade", logTicks{}, 1e10, 1e24, []string{"10^{12}", "10^{15}", "10^{18}", "10^{21}", "10^{24}"}, 10},
		{"negative exponents", logTicks{}, 1e-3, 1e-1, []string{"10^{−3}", "10^{−2}", "10^{−1}"}, -1},
		{"loss axis", logTicks{}, 1.8, 6.5, []string{"2", "3", "4", "5", "6"}, 0},
		{"loss axis up to 19", logTicks{}, 5.5, 19, []string{"6", "7", "8", "9", "10", "15"}, 0},
		{"loss axis across 10", logTicks{}, 1.6, 28, []string{"2", "5", "10", "20"}, -1},
		{"narrow", logTicks{}, 2.1, 2.45, []string{"2.1", "2.2", "2.3", "2.4"}, -1},
		{"large multiples", logTicks{}, 1.6e6, 5.5e6, []string{"2×10^{6}", "3×10^{6}", "4×10^{6}", "5×10^{6}"}, 0},
		{"exponent coordinates", logTicks{exponent: true}, 5, 8, []string{"10^{5}", "10^{6}", "10^{7}", "10^{8}"}, 3 * 8},
		{"zero min", logTicks{}, 0, 10, nil, 0},
		{"NaN", logTicks{}, math.NaN(), 10, nil, 0},
		{"reversed", logTicks{}, 10, 1, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ticks := c.ticker.Ticks(c.min, c.max)
			var labels []string
			minor := 0
			for _, tk := range ticks {
				v := tk.Value
				if c.ticker.exponent {
					v = math.Pow(10, v)
				}
				if !inRange(v, c.min, c.max) && !c.ticker.exponent {
					t.Errorf("tick %g outside [%g, %g]", v, c.min, c.max)
				}
				if tk.IsMinor() {
					minor++
				} else {
					labels = append(labels, tk.Label)
				}
			}
			if !slices.Equal(labels, c.labels) {
				t.Errorf("labels = %q, want %q", labels, c.labels)
			}
			if c.minor >= 0 && minor != c.minor {
				t.Errorf("%d minor ticks, want %d", minor, c.minor)
			}
		})
	}
}

// TestLinearTicks checks the labelled values of linear axes.
func TestLinearTicks(t *testing.T) {
	cases := []struct {
		min, max float64
		labels   []string
	}{
		{-0.23, 0.37, []string{"−0.2", "−0.1", "0", "0.1", "0.2", "0.3"}},
		{3.5, 19.5, []string{"5", "7.5", "10", "12.5", "15", "17.5"}},
		{0, 1000, []string{"0", "200", "400", "600", "800", "1000"}},
		{1, 1, nil},
		{math.Inf(-1), 1, nil},
	}
	for _, c := range cases {
		var labels []string
		for _, tk := range (linearTicks{}).Ticks(c.min, c.max) {
			if !tk.IsMinor() {
				labels = append(labels, tk.Label)
			}
		}
		if !slices.Equal(labels, c.labels) {
			t.Errorf("[%g, %g]: labels = %q, want %q", c.min, c.max, labels, c.labels)
		}
	}
}

// TestNiceLevels checks the contour levels.
func TestNiceLevels(t *testing.T) {
	cases := []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{3.7, 18, 10, []float64{4, 5, 6, 8, 10, 12, 15}},
		{1.9, 40, 5, []float64{2, 4, 8, 15, 30}},
		{7.9, 9.6, 10, []float64{8, 8.25, 8.5, 8.75, 9, 9.25, 9.5}},
	}
	for _, c := range cases {
		got := niceLevels(c.lo, c.hi, c.n)
		if len(got) > c.n {
			t.Errorf("(%g, %g): %d levels, want at most %d", c.lo, c.hi, len(got), c.n)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("(%g, %g): levels = %v, want %v", c.lo, c.hi, got, c.want)
		}
	}
}
