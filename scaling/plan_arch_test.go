package scaling

import (
	"slices"
	"strings"
	"testing"
)

// TestPlanArch: a plan over two families trains every preset's rung in
// both, ordered by rung, each run recording its family; a plan file may
// name one family or a list.
func TestPlanArch(t *testing.T) {
	p := DefaultPlan()
	p.Presets = []string{"n200k", "n100k"}
	p.Tokens = []Quantity{1e6}
	p.Arch = Archs{"transformer", "lstm"}
	e, err := p.Expand()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range e.Points {
		got = append(got, c.Preset+"/"+c.Arch)
	}
	want := []string{"n100k/transformer", "lstm100k/lstm", "n200k/transformer", "lstm200k/lstm"}
	if !slices.Equal(got, want) {
		t.Errorf("points %v, want %v", got, want)
	}
	h := p.HParams
	if lr, want := e.Points[1].LR, h.WidthLR(e.Points[1].Width)*h.LSTMLRFactor; lr != want || e.Points[0].LR != h.WidthLR(64) {
		t.Errorf("learning rates %v (lstm100k) and %v (n100k), want %v and %v", lr, e.Points[0].LR, want, h.WidthLR(64))
	}
	if r := float64(e.Points[1].Params) / float64(e.Points[0].Params); r < 0.95 || r > 1.05 {
		t.Errorf("lstm100k has %d parameters, n100k %d", e.Points[1].Params, e.Points[0].Params)
	}

	for _, c := range []struct{ json, want string }{
		{`"lstm"`, "lstm100k"},
		{`["lstm", "transformer"]`, "n100k"},
	} {
		raw := `{"presets": ["n100k"], "tokens": [1e6], "arch": ` + c.json + `}`
		p, err := DecodePlan(strings.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		e, err := p.Expand()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(e.Points, func(r RunConfig) bool { return r.Preset == c.want }) {
			t.Errorf("arch %s: no run of %s in %+v", c.json, c.want, e.Points)
		}
	}

	for _, c := range []struct{ json, want string }{
		{`"rnn"`, "arch[0]"},
		{`["lstm", "lstm"]`, "repeats arch[0]"},
		{`3`, "arch"},
	} {
		raw := `{"presets": ["n100k", "lstm100k"], "tokens": [1e6], "arch": ` + c.json + `}`
		if _, err := DecodePlan(strings.NewReader(raw)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("arch %s: error %v, want %q", c.json, err, c.want)
		}
	}
	raw := `{"presets": ["n100k", "lstm100k"], "tokens": [1e6], "arch": "lstm"}`
	if _, err := DecodePlan(strings.NewReader(raw)); err == nil || !strings.Contains(err.Error(), "another preset") {
		t.Errorf("two presets of one rung: error %v", err)
	}
	// A plan without arch writes none, so older plan files compare equal.
	raw0, err := DefaultPlan().MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw0), "arch") {
		t.Errorf("a plan without families writes %s", raw0)
	}
}
