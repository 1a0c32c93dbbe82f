package model

import (
	"testing"

	"gorgonia.org/gorgonia"
)

func TestBuildGrads(t *testing.T) {
	for _, tied := range []bool{false, true} {
		c := NewConfig(Shape{32, 2, 4, 2}, 50, 16)
		c.TieWordEmbeddings = tied
		g, err := Build(c, 2, 7, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Grads) != len(g.Params) {
			t.Fatalf("tied=%v: %d grads for %d params", tied, len(g.Grads), len(g.Params))
		}
		for i, gr := range g.Grads {
			if !gr.Shape().Eq(g.Params[i].Shape()) {
				t.Errorf("tied=%v: grad of %s has shape %v, want %v", tied, g.Specs[i].Name, gr.Shape(), g.Params[i].Shape())
			}
		}
		sorted, err := gorgonia.Sort(g.G)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, n := range sorted {
			if n.Op() != nil {
				kinds[opKind(n.Op())]++
			}
		}
		t.Logf("tied=%v: %d nodes: %v", tied, len(sorted), kinds)
	}
}

func opKind(op gorgonia.Op) string {
	s := op.String()
	for i, r := range s {
		if r == '(' {
			return s[:i]
		}
	}
	return s
}
