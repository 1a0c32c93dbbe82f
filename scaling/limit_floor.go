package scaling

import (
	"fmt"
	"sort"
)

// SizeFloor is the loss floor one model size approaches as its data grows:
// L(D) = E_N + B / D^beta fitted to that size's runs alone. Where the
// data's entropy H is known it is the sharper check of the two: E_N can
// never lie below H, and it reaches H only when a model of that size can
// represent the source. The joint law's E is the floor at infinite N as
// well, an extrapolation that a sweep whose sizes barely differ in loss
// cannot pin down (the N term then trades off against E).
type SizeFloor struct {
	Params float64 `json:"params"`
	Points int     `json:"points"` // runs of this size fitted
	E      float64 `json:"E"`
	B      float64 `json:"B"`
	Beta   float64 `json:"beta"`
	// Converged is false when the fit stopped early; Message says why.
	Converged bool   `json:"converged"`
	Message   string `json:"message,omitempty"`
}

// minFloorPoints is the fewest distinct budgets a size needs for its floor:
// the three parameters plus one.
const minFloorPoints = 4

// sizeFloors fits the floor of every model size with at least
// minFloorPoints distinct budgets, by the same Huber criterion as the other
// fits, smallest size first. Sizes with too few budgets are skipped.
func sizeFloors(points []Point, delta float64) []SizeFloor {
	byN := map[float64][]Point{}
	for _, p := range points {
		byN[p.Params] = append(byN[p.Params], p)
	}
	sizes := make([]float64, 0, len(byN))
	for n := range byN {
		sizes = append(sizes, n)
	}
	sort.Float64s(sizes)
	var out []SizeFloor
	for _, n := range sizes {
		var ds, losses []float64
		seen := map[float64]bool{}
		for _, p := range byN[n] {
			ds, losses = append(ds, p.Tokens), append(losses, p.Loss)
			seen[p.Tokens] = true
		}
		if len(seen) < minFloorPoints {
			continue
		}
		f, err := fitComputeLaw(kindSaturating, ds, losses, delta, nil)
		if err != nil {
			out = append(out, SizeFloor{Params: n, Points: len(ds), Message: err.Error()})
			continue
		}
		out = append(out, SizeFloor{Params: n, Points: len(ds), E: f.power.E, B: f.power.A, Beta: f.power.Alpha,
			Converged: f.out.converged, Message: f.out.message})
	}
	return out
}

// floorSentence says how the per-size floors compare with the entropy H.
func floorSentence(floors []SizeFloor, h float64) string {
	var parts []string
	var last SizeFloor
	for _, f := range floors {
		if f.E > 0 {
			parts = append(parts, fmt.Sprintf("%.4g at N = %.3g", f.E, f.Params))
			last = f
		}
	}
	if len(parts) == 0 {
		return ""
	}
	shape := "the floors do not all lie above H and fall as N grows"
	if floorsFromAbove(floors, h) {
		shape = "every floor lies above H and they fall as N grows, approaching H from above"
	}
	return fmt.Sprintf("Fitted size by size, L(D) = E_N + B/D^beta gives floors E_N of %s: %s; the largest size's floor lies %+.3g nats from H = %.4g.",
		joinList(parts), shape, last.E-h, h)
}

// joinList joins words as "a, b and c".
func joinList(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	s := parts[0]
	for _, p := range parts[1 : len(parts)-1] {
		s += ", " + p
	}
	return s + " and " + parts[len(parts)-1]
}
