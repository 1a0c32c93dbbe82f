package cuda

import (
	"strings"
	"testing"
)

func TestParsePrecision(t *testing.T) {
	for _, p := range []Precision{FP32, TF32, BF16} {
		got, err := ParsePrecision(p.String())
		if err != nil || got != p {
			t.Errorf("ParsePrecision(%q) = %v, %v; want %v", p.String(), got, err, p)
		}
	}
	if p, err := ParsePrecision(""); err != nil || p != TF32 {
		t.Errorf(`ParsePrecision("") = %v, %v; want tf32`, p, err)
	}
	if _, err := ParsePrecision("fp16"); err == nil || !strings.Contains(err.Error(), "want fp32, tf32 or bf16") {
		t.Errorf(`ParsePrecision("fp16"): error %v`, err)
	}
}
