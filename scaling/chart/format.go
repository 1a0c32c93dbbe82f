package chart

import (
	"math"
	"strconv"
)

// formatPow writes v as "m×10^{e}" with two significant digits in m, or
// "10^{e}" when m is 1: the form tick labels and compute budgets take.
func formatPow(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	sign := ""
	if v < 0 {
		sign, v = "−", -v
	}
	e := math.Floor(math.Log10(v))
	m := math.Round(v/math.Pow(10, e)*10) / 10
	if m >= 10 {
		m, e = m/10, e+1
	}
	pow := "10^{" + strconv.Itoa(int(e)) + "}"
	if e < 0 {
		pow = "10^{−" + strconv.Itoa(int(-e)) + "}"
	}
	if m == 1 {
		return sign + pow
	}
	return sign + strconv.FormatFloat(m, 'g', 2, 64) + "×" + pow
}

// formatPlain writes v with up to four significant digits, as tick labels
// need.
func formatPlain(v float64) string { return formatSig(v, 4) }

// formatSig writes v with up to digits significant digits in plain notation
// when its magnitude is between 10⁻³ and 10⁴ (or zero), else as formatPow
// does. Negative values take a true minus sign.
func formatSig(v float64, digits int) string {
	a := math.Abs(v)
	if a != 0 && (a < 1e-3 || a >= 1e4) {
		return formatPow(v)
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(a, 'g', digits, 64), 64)
	s := strconv.FormatFloat(r, 'f', -1, 64)
	if v < 0 {
		s = "−" + s
	}
	return s
}

// formatCount writes a parameter count the way papers do, to three
// significant digits: 125K, 3.16M, 1.1B.
func formatCount(v float64) string {
	v = round3(v)
	units := []struct {
		scale  float64
		suffix string
	}{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}}
	for _, u := range units {
		if v >= u.scale {
			return strconv.FormatFloat(round3(v/u.scale), 'f', -1, 64) + u.suffix
		}
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// round3 rounds v to three significant digits.
func round3(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return r
}
