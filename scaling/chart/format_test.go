package chart

import (
	"math"
	"testing"
)

// TestFormat checks the number formats of ticks, legends and labels.
func TestFormat(t *testing.T) {
	cases := []struct {
		name string
		f    func(float64) string
		in   float64
		want string
	}{
		{"pow decade", formatPow, 1e18, "10^{18}"},
		{"pow mantissa", formatPow, 3e18, "3×10^{18}"},
		{"pow rounds up", formatPow, 9.96e6, "10^{7}"},
		{"pow small", formatPow, 2.5e-4, "2.5×10^{−4}"},
		{"pow negative", formatPow, -1e5, "−10^{5}"},
		{"pow NaN", formatPow, math.NaN(), "NaN"},
		{"plain", formatPlain, 12.5, "12.5"},
		{"plain rounding noise", formatPlain, 0.30000000000000004, "0.3"},
		{"plain negative", formatPlain, -0.1, "−0.1"},
		{"plain large", formatPlain, 2e6, "2×10^{6}"},
		{"plain zero", formatPlain, 0, "0"},
		{"count K", formatCount, 125000, "125K"},
		{"count M", formatCount, 3.1623e6, "3.16M"},
		{"count rounding below a unit", formatCount, 999999.99, "1M"},
		{"count B", formatCount, 1.1e9, "1.1B"},
		{"count small", formatCount, 512, "512"},
	}
	for _, c := range cases {
		if got := c.f(c.in); got != c.want {
			t.Errorf("%s: f(%g) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}
