package chart

import (
	"math"

	"gonum.org/v1/plot"
)

// logTicks is the tick marker of every log axis. When the axis spans two or
// more decades it labels decades (10^{6}) and leaves 2..9 times each decade
// as minor ticks; across fewer decades, as on most loss axes, it labels
// multiples of the decades (2, 3, 4 or 2×10^{6}); across a range too
// narrow for either it falls back to linearTicks, which read correctly on
// a log axis too.
//
// With exponent set, the axis holds log10 of the values (the contour
// chart's coordinates) and the ticks are placed at log10 of the same values
// while still being labelled with the values themselves.
type logTicks struct {
	exponent bool
}

// Decade and label limits keep the ticks readable on a 6 in wide figure.
const (
	maxMajorTicks  = 7 // most labelled decades before every other one is labelled
	maxMinorDecade = 8 // most decades that still get minor ticks
	maxMultiples   = 8 // most labelled multiples before only 1, 2 and 5 are
)

// Ticks returns the ticks between min and max. It returns none rather than
// panic when the range cannot sit on a log axis.
func (t logTicks) Ticks(min, max float64) []plot.Tick {
	if t.exponent {
		min, max = math.Pow(10, min), math.Pow(10, max)
	}
	if !(min > 0) || !(max >= min) || math.IsInf(max, 0) {
		return nil
	}
	ticks := decadeTicks(min, max)
	if countMajor(ticks) < 2 {
		ticks = multipleTicks(min, max)
	}
	if countMajor(ticks) < 2 {
		ticks = linearTicks{}.Ticks(min, max)
	}
	if t.exponent {
		for i := range ticks {
			ticks[i].Value = math.Log10(ticks[i].Value)
		}
	}
	return ticks
}

// inRange reports whether v lies in [min, max], allowing for rounding in
// the powers of ten.
func inRange(v, min, max float64) bool {
	const tol = 1e-9
	return v >= min*(1-tol) && v <= max*(1+tol)
}

// decadeTicks labels the decades in [min, max], every step-th one when there
// are many, and adds minor ticks at the other decades and, when the range
// is not too wide, at 2..9 times each decade.
func decadeTicks(min, max float64) []plot.Tick {
	lo, hi := int(math.Floor(math.Log10(min))), int(math.Ceil(math.Log10(max)))
	inside := int(math.Floor(math.Log10(max))) - int(math.Ceil(math.Log10(min))) + 1
	step := 1
	if inside > maxMajorTicks {
		step = (inside + maxMajorTicks - 1) / maxMajorTicks
	}
	minor := hi-lo <= maxMinorDecade
	var ticks []plot.Tick
	for e := lo; e <= hi; e++ {
		d := math.Pow(10, float64(e))
		if inRange(d, min, max) {
			tk := plot.Tick{Value: d}
			if e%step == 0 {
				tk.Label = formatPow(d)
			}
			ticks = append(ticks, tk)
		}
		if !minor {
			continue
		}
		for m := 2; m <= 9; m++ {
			if v := float64(m) * d; inRange(v, min, max) {
				ticks = append(ticks, plot.Tick{Value: v})
			}
		}
	}
	return ticks
}

// multipleTicks labels the multiples 1, 1.5, 2, 3, ..., 9 of each decade in
// [min, max], or, when that would be more than maxMultiples labels, labels
// only 1, 2 and 5 and leaves the other integer multiples as minor ticks.
// The 1.5 multiple gives a label to the wide stretch above a power of ten
// on short ranges such as 5 to 19.
func multipleTicks(min, max float64) []plot.Tick {
	lo, hi := int(math.Floor(math.Log10(min))), int(math.Ceil(math.Log10(max)))
	mantissas := []float64{1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9}
	var all []plot.Tick
	for e := lo; e <= hi; e++ {
		for _, m := range mantissas {
			if v := m * math.Pow(10, float64(e)); inRange(v, min, max) {
				all = append(all, plot.Tick{Value: v, Label: formatPlain(v)})
			}
		}
	}
	if len(all) <= maxMultiples {
		return all
	}
	var ticks []plot.Tick
	for _, t := range all {
		switch m := t.Value / math.Pow(10, math.Floor(math.Log10(t.Value)+1e-9)); {
		case math.Abs(m-1.5) < 1e-6:
			continue
		case math.Abs(m-1) > 1e-6 && math.Abs(m-2) > 1e-6 && math.Abs(m-5) > 1e-6:
			t.Label = ""
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// countMajor counts the labelled ticks.
func countMajor(ticks []plot.Tick) int {
	n := 0
	for _, t := range ticks {
		if !t.IsMinor() {
			n++
		}
	}
	return n
}

// linearTicks is the tick marker of every linear axis: labelled ticks at
// the smallest round step (1, 2, 2.5 or 5 times a power of ten) that gives
// at most linearLabels+1 labels, with a minor tick halfway between each
// pair.
// gonum/plot's DefaultTicks labels only three or four values.
type linearTicks struct{}

// linearLabels is about how many labels a linear axis gets.
const linearLabels = 6

// Ticks returns the ticks between min and max, or none for a range that is
// empty or not finite.
func (linearTicks) Ticks(min, max float64) []plot.Tick {
	span := max - min
	if !(span > 0) || math.IsInf(span, 0) {
		return nil
	}
	raw := span / (linearLabels + 1)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	half := step / 2
	var ticks []plot.Tick
	for k := math.Ceil(min / half); k*half <= max; k++ {
		v := k * half
		tk := plot.Tick{Value: v}
		if math.Mod(k, 2) == 0 {
			tk.Label = formatPlain(v)
		}
		ticks = append(ticks, tk)
	}
	return ticks
}
