package kernels

import (
	"math"
	"testing"

	"github.com/plateau-lab/plateau/internal/golden"
	"github.com/plateau-lab/plateau/model"
)

// TestGolden runs the PyTorch reference cases on the CPU device: loss
// within 1e-5 relative, logits and every gradient within 1e-4 of the
// reference's max-norm.
func TestGolden(t *testing.T) {
	golden.ForEach(t, func(t *testing.T, gc *golden.Case) {
		ids, targets, batch, seq := gc.Flat()
		dev := NewCPU(0)
		g, err := model.Build(gc.Config, batch, seq, true)
		if err != nil {
			t.Fatal(err)
		}
		w, err := NewWeights(dev, g.Specs, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Upload(gc.Params); err != nil {
			t.Fatal(err)
		}
		p, err := Compile(dev, g, w, Options{Grads: true, Logits: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.SetBatch(ids, targets); err != nil {
			t.Fatal(err)
		}
		p.Run()
		loss, err := p.Loss()
		if err != nil {
			t.Fatal(err)
		}
		if rel := math.Abs(float64(loss)-gc.Loss) / gc.Loss; rel > 1e-5 {
			t.Errorf("loss %v, want %v (relative error %.2g)", loss, gc.Loss, rel)
		}
		logits := make([]float32, batch*seq*gc.Config.VocabSize)
		if err := p.Logits(logits); err != nil {
			t.Fatal(err)
		}
		if e := golden.RelMaxErr(logits, gc.Expected.Lookup("logits").Data); e > 1e-4 {
			t.Errorf("logits: relative max error %.2g", e)
		}
		grads, err := w.DownloadGrads()
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range g.Specs {
			want := gc.Expected.Lookup("grad." + s.Name)
			if want == nil {
				t.Fatalf("expected.safetensors has no grad.%s", s.Name)
			}
			if e := golden.RelMaxErr(grads[i], want.Data); e > 1e-4 {
				t.Errorf("grad %s: relative max error %.2g", s.Name, e)
			}
		}
		t.Logf("loss %.7f (want %.7f), %d kernel calls, arena %d floats", loss, gc.Loss, p.Steps(), p.ArenaElems)
	})
}
