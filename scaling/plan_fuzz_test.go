package scaling

import (
	"bytes"
	"testing"
)

// FuzzDecodePlan checks that no plan file makes DecodePlan panic or hang,
// that a plan it accepts is valid, survives MarshalIndent and DecodePlan
// unchanged, and expands (or is refused by Expand with an error) quickly;
// an expansion's points have whole steps of batch_tokens, at least
// min_steps of them, distinct names, and each belongs to exactly one job.
// The seed corpus, testdata/fuzz/FuzzDecodePlan, holds the plan fixtures
// of testdata/plan and a wsd plan with every optional field set.
func FuzzDecodePlan(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := DecodePlan(bytes.NewReader(raw))
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("DecodePlan accepted an invalid plan: %v", err)
		}
		enc, err := p.MarshalIndent()
		if err != nil {
			t.Fatalf("MarshalIndent of an accepted plan: %v", err)
		}
		back, err := DecodePlan(bytes.NewReader(enc))
		if err != nil {
			t.Fatalf("DecodePlan of MarshalIndent's output: %v\n%s", err, enc)
		}
		again, err := back.MarshalIndent()
		if err != nil || !bytes.Equal(enc, again) {
			t.Fatalf("plan changed in a round trip (%v):\n%s\n%s", err, enc, again)
		}
		exp, err := p.Expand()
		if err != nil {
			return
		}
		checkExpansion(t, p, exp)
	})
}

// checkExpansion checks what every expansion of p must satisfy.
func checkExpansion(t *testing.T, p Plan, exp *Expansion) {
	t.Helper()
	names := map[string]int{}
	for _, c := range exp.Points {
		if c.Steps < p.MinSteps || c.Tokens != int64(c.Steps)*int64(p.HParams.BatchTokens) || c.Role != RolePoint {
			t.Fatalf("point %s: %d steps, %d tokens, role %s; want at least min_steps %d steps of %d tokens, role point",
				c.Name, c.Steps, c.Tokens, c.Role, p.MinSteps, p.HParams.BatchTokens)
		}
		names[c.Name]++
	}
	if len(names) != len(exp.Points) {
		t.Fatalf("%d points with %d distinct names", len(exp.Points), len(names))
	}
	inJobs := map[string]int{}
	for _, j := range exp.Jobs {
		for _, c := range j.Points {
			inJobs[c.Name]++
		}
	}
	for name := range names {
		if inJobs[name] != 1 {
			t.Fatalf("point %s is in %d jobs, want 1", name, inJobs[name])
		}
	}
	if len(inJobs) != len(names) {
		t.Fatalf("the jobs hold %d points, the expansion %d", len(inJobs), len(names))
	}
}
