package chart

import (
	"fmt"
	"math"

	"github.com/plateau-lab/plateau/scaling"
)

// checkPositive accepts a value that can sit on a log axis: finite and
// greater than zero. what names the argument and index, as in
// "points[3].Loss".
func checkPositive(what string, v float64) error {
	if v > 0 && !math.IsInf(v, 1) {
		return nil
	}
	return fmt.Errorf("%s = %v: want a finite value > 0 (log axis)", what, v)
}

// checkFinite accepts a value that can sit on a linear axis.
func checkFinite(what string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s = %v: want a finite value", what, v)
	}
	return nil
}

// checkNonEmpty rejects an empty input.
func checkNonEmpty(what string, n int) error {
	if n == 0 {
		return fmt.Errorf("%s is empty: want at least one", what)
	}
	return nil
}

// checkSameLen rejects slices that must pair up element by element but
// differ in length.
func checkSameLen(a string, na int, b string, nb int) error {
	if na != nb {
		return fmt.Errorf("len(%s) = %d but len(%s) = %d: want equal lengths", a, na, b, nb)
	}
	return nil
}

// Fields of a scaling.Point a chart places on its axes.
const (
	needParams  = 1 << iota // N: colour key or log axis
	needTokens              // D: log axis
	needCompute             // C: log axis
	needLoss                // L: log axis
)

// checkPoints validates the fields in need of every point of a slice named
// what.
func checkPoints(what string, ps []scaling.Point, need int) error {
	for i, p := range ps {
		if err := checkPoint(fmt.Sprintf("%s[%d]", what, i), p, need); err != nil {
			return err
		}
	}
	return nil
}

// checkPoint validates the fields in need of the point named what.
func checkPoint(what string, p scaling.Point, need int) error {
	fields := []struct {
		flag int
		name string
		v    float64
	}{
		{needParams, "Params", p.Params},
		{needTokens, "Tokens", p.Tokens},
		{needCompute, "Compute()", p.Compute()},
		{needLoss, "Loss", p.Loss},
	}
	for _, f := range fields {
		if need&f.flag == 0 {
			continue
		}
		if err := checkPositive(what+"."+f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}
