package scaling

import (
	"math"
	"strconv"
)

// LRScan asks for a learning-rate scan per preset instead of the width
// rule alone: Points learning rates on a log grid from rule/Spread to
// rule*Spread (rule = HParams.WidthLR), each trained on a short budget of
// Tokens with the plan's schedule; the one with the lowest held-out loss
// becomes the preset's peak learning rate for every point. The scan runs
// live in OUT/lrscan/ and the choice in OUT/lrscan.json; a resumed sweep
// reuses them. Tuning per scale changes the fitted exponents (Porian et al.
// 2024), so a scanned sweep compares with other scanned sweeps.
type LRScan struct {
	// Points is the number of learning rates tried; 0 means 5.
	Points int `json:"points,omitempty"`
	// Spread is the grid's reach on each side of the rule; 0 means 4.
	Spread float64 `json:"spread,omitempty"`
	// Tokens is each scan run's budget; 0 means the preset's smallest
	// point.
	Tokens Quantity `json:"tokens,omitempty"`
}

// Factors are the multipliers of the width rule's learning rate the scan
// tries, smallest first: Points values spaced evenly in log between
// 1/Spread and Spread.
func (s LRScan) Factors() []float64 {
	n, spread := s.Points, s.Spread
	if n == 0 {
		n = 5
	}
	if spread == 0 {
		spread = 4
	}
	if n < 2 {
		return []float64{1}
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Pow(spread, -1+2*float64(i)/float64(n-1))
	}
	return out
}

// scanRunName names the scan run of preset at learning rate lr.
func scanRunName(preset string, lr float64) string {
	return preset + "-lr" + strconv.FormatFloat(lr, 'g', 3, 64)
}
