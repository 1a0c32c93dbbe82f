package kernels

import (
	"slices"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/model"
)

// TestInferenceWeights checks that on the CPU the inference weights are the
// caller's slices themselves, that Free drops them, that on a device
// without host memory they are uploaded, and that they refuse a backward
// program.
func TestInferenceWeights(t *testing.T) {
	c := model.Config{VocabSize: 11, HiddenSize: 8, IntermediateSize: 12, NumHiddenLayers: 1, NumAttentionHeads: 2,
		NumKeyValueHeads: 1, RMSNormEps: 1e-5, RopeTheta: 10000, MaxPositionEmbeddings: 8}
	values := c.Init(3)
	specs := c.ParamSpecs()
	d := NewCPU(1)
	w, err := NewInferenceWeights(d, specs, values)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range w.W {
		if got := d.f(b); &got[0] != &values[i][0] || len(got) != len(values[i]) {
			t.Fatalf("%s: the device buffer is not the caller's slice", specs[i].Name)
		}
	}
	if w.Grad != nil || w.M != nil {
		t.Error("inference weights have gradient or moment buffers")
	}
	g, err := model.Build(c, 1, 4, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(d, g, w, Options{Grads: true}); err == nil || !strings.Contains(err.Error(), "inference") {
		t.Errorf("backward program on inference weights: %v, want an error", err)
	}
	w.Free()
	if len(d.f32) != 0 {
		t.Errorf("%d allocations left after Free", len(d.f32))
	}

	up, err := NewInferenceWeights(struct{ Device }{d}, specs, values)
	if err != nil {
		t.Fatal(err)
	}
	back, err := up.Download()
	if err != nil {
		t.Fatal(err)
	}
	for i := range back {
		if !slices.Equal(back[i], values[i]) || &d.f(up.W[i])[0] == &values[i][0] {
			t.Fatalf("%s: not an uploaded copy", specs[i].Name)
		}
	}
	up.Free()
	if _, err := NewInferenceWeights(d, specs, values[1:]); err == nil {
		t.Error("too few tensors accepted")
	}
}
