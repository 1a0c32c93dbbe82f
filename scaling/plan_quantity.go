package scaling

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// quantitySuffixes are the multipliers a Quantity may end with: thousands,
// millions, billions (B or G), trillions and quadrillions, the way token
// and FLOP budgets are written in papers ("2M tokens", "1.5B", "3P FLOPs").
var quantitySuffixes = []struct {
	suffix string
	scale  float64
}{
	{"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"B", 1e9}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15},
}

// Quantity is a number of tokens or FLOPs as a plan states it: a JSON
// number (1e6) or a string that ParseQuantity reads ("2M", "1.5e18"), so
// that plan files read the way budgets are written in papers.
type Quantity float64

// ParseQuantity reads a positive, finite count written as a plain number
// (1000000, 1e6) or with a suffix: k or K (1e3), M (1e6), B or G (1e9), T
// (1e12), P (1e15), as in "2M" or "1.5B".
func ParseQuantity(s string) (float64, error) {
	t := strings.TrimSpace(s)
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		v = math.NaN()
		for _, q := range quantitySuffixes {
			if num, ok := strings.CutSuffix(t, q.suffix); ok && num != "" {
				if x, err := strconv.ParseFloat(num, 64); err == nil {
					v = x * q.scale
				}
				break
			}
		}
	}
	if !(v > 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q: want a positive finite number such as 1e6, 2M or 1.5B", s)
	}
	return v, nil
}

// ParseQuantities reads a comma-separated list of quantities, as the
// -tokens and -flops flags take them.
func ParseQuantities(s string) ([]Quantity, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []Quantity
	for part := range strings.SplitSeq(s, ",") {
		v, err := ParseQuantity(part)
		if err != nil {
			return nil, err
		}
		out = append(out, Quantity(v))
	}
	return out, nil
}

// FormatQuantity writes v with three significant digits and a suffix
// (k, M, B, T, P), as run names and tables show budgets: 4194304 is
// "4.19M", 2e6 is "2M".
func FormatQuantity(v float64) string {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	units := []struct {
		suffix string
		scale  float64
	}{{"P", 1e15}, {"T", 1e12}, {"B", 1e9}, {"M", 1e6}, {"k", 1e3}}
	for _, u := range units {
		if r >= u.scale {
			if r >= 1e3*u.scale && u.suffix == "P" {
				return strconv.FormatFloat(r, 'g', 3, 64)
			}
			return strconv.FormatFloat(r/u.scale, 'f', -1, 64) + u.suffix
		}
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// UnmarshalJSON accepts a JSON number or a string that ParseQuantity
// reads.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := ParseQuantity(s)
		if err != nil {
			return err
		}
		*q = Quantity(v)
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("%s: want a number or a string such as \"2M\"", b)
	}
	*q = Quantity(v)
	return nil
}
