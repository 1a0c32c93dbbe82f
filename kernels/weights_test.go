package kernels

import (
	"testing"

	"github.com/plateau-lab/plateau/model"
)

// TestWeightsAligned: every parameter, gradient and moment tensor starts on
// a 16-byte boundary, even when the sizes before it are odd (vocabulary
// 101, width 30), and the gaps hold zeros.
func TestWeightsAligned(t *testing.T) {
	c := model.NewConfig(model.Shape{Hidden: 30, Layers: 2, Heads: 3, KVHeads: 1}, 101, 16)
	g, err := model.Build(c, 1, 8, true)
	if err != nil {
		t.Fatal(err)
	}
	dev := NewCPU(1)
	defer dev.Close()
	w, err := NewWeights(dev, g.Specs, true)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Free()
	odd := false
	for i, s := range g.Specs {
		odd = odd || s.Size()%paramAlign != 0
		for _, kind := range [][]Buf{w.W, w.Grad, w.M, w.V} {
			if b := kind[i]; b.Off%paramAlign != 0 {
				t.Errorf("%s starts at element %d, not a multiple of %d", s.Name, b.Off, paramAlign)
			}
		}
	}
	if !odd {
		t.Fatal("no tensor of an odd size: the test does not test the padding")
	}
	if w.DecayN%paramAlign != 0 {
		t.Errorf("the tensors without weight decay start at %d", w.DecayN)
	}
	if err := w.Upload(c.Init(1)); err != nil {
		t.Fatal(err)
	}
	all := make([]float32, w.AllW.N)
	if err := dev.Download(all, w.AllW); err != nil {
		t.Fatal(err)
	}
	inTensor := make([]bool, len(all))
	for _, b := range w.W {
		for j := b.Off; j < b.Off+b.N; j++ {
			inTensor[j] = true
		}
	}
	for j, x := range all {
		if !inTensor[j] && x != 0 {
			t.Fatalf("gap element %d holds %v, want 0", j, x)
		}
	}
}
