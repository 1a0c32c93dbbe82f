package model

import (
	"fmt"
	"strings"
)

// Family is the architecture a Config describes. The zero value is the
// transformer, so every Llama config is one; the LSTM is the recurrent
// language model the transformer is compared with.
type Family int

// The model families.
const (
	// Transformer is the Llama-style decoder: pre-norm blocks of causal
	// GQA attention with RoPE and a SwiGLU MLP.
	Transformer Family = iota
	// LSTM is a stack of LSTM layers between the token embedding and the
	// output head (Jozefowicz et al. 2016; Kaplan et al. 2020, section
	// 3.2.1), its state starting from zero in every window.
	LSTM
)

// familyNames are the names plans, flags and run folders use.
var familyNames = [...]string{Transformer: "transformer", LSTM: "lstm"}

// String is the family's name: "transformer" or "lstm".
func (f Family) String() string {
	if f >= 0 && int(f) < len(familyNames) {
		return familyNames[f]
	}
	return fmt.Sprintf("Family(%d)", int(f))
}

// FamilyNames lists the families by name.
func FamilyNames() []string { return append([]string(nil), familyNames[:]...) }

// ParseFamily reads a family's name ("transformer" or "lstm").
func ParseFamily(s string) (Family, error) {
	for i, n := range familyNames {
		if s == n {
			return Family(i), nil
		}
	}
	return 0, fmt.Errorf("unknown architecture %q: want one of %s", s, strings.Join(familyNames[:], ", "))
}
