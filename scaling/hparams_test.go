package scaling

import "testing"

func TestHParamsRules(t *testing.T) {
	h := DefaultHParams()
	for _, c := range []struct {
		width int
		want  float64
	}{{128, 3e-3}, {64, 6e-3}, {768, 5e-4}} {
		if got := h.WidthLR(c.width); got != c.want {
			t.Errorf("WidthLR(%d) = %v, want %v", c.width, got, c.want)
		}
	}
	warm := []struct {
		frac          float64
		lo, hi, steps int
		want          int
	}{
		{0.05, 10, 1000, 100, 10},      // the floor
		{0.05, 10, 1000, 1000, 50},     // the fraction
		{0.05, 10, 1000, 100000, 1000}, // the cap
		{0.05, 10, 0, 100000, 5000},    // no cap
		{0.05, 10, 1000, 6, 6},         // never longer than the run
	}
	for _, c := range warm {
		h := HParams{WarmupFrac: c.frac, WarmupMin: c.lo, WarmupMax: c.hi}
		if got := h.Warmup(c.steps); got != c.want {
			t.Errorf("warmup %v of %d steps in [%d, %d]: %d, want %d", c.frac, c.steps, c.lo, c.hi, got, c.want)
		}
	}
	split := []struct {
		tokens, micro, seq int
		batch, accum       int
	}{
		{8192, 0, 256, 32, 1}, {8192, 8, 256, 8, 4}, {8192, 64, 256, 32, 1},
	}
	for _, c := range split {
		h := HParams{BatchTokens: c.tokens, MicroBatch: c.micro}
		if b, a := h.split(c.seq); b != c.batch || a != c.accum {
			t.Errorf("%d tokens, micro-batch %d, seq %d: batch %d x accum %d, want %d x %d", c.tokens, c.micro, c.seq, b, a, c.batch, c.accum)
		}
	}
}
