package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plateau-lab/plateau/model"
)

// TestLSTMModelGradients checks the executor's wiring of the LSTM layers
// (the inputs, saved state and packed gradients of every layer) on a whole
// model: for each parameter tensor, the gradient's projection on a
// direction must match the central difference of the loss along it. The
// kernels themselves are checked in float64 in package cpu; this runs the
// compiled float32 program, so the tolerance is a few percent.
func TestLSTMModelGradients(t *testing.T) {
	for _, tied := range []bool{false, true} {
		c := model.NewLSTMConfig(24, 2, 30, 32)
		c.TieWordEmbeddings = tied
		c.NoFinalNorm = tied // both variants of the head
		const batch, seq = 3, 9
		g, err := model.Build(c, batch, seq, true)
		if err != nil {
			t.Fatal(err)
		}
		dev := NewCPU(2)
		w, err := NewWeights(dev, g.Specs, false)
		if err != nil {
			t.Fatal(err)
		}
		values := c.Init(3)
		if tied { // a tied head of 0.02-scale embeddings gives gradients below float32's resolution
			for j := range values[0] {
				values[0][j] *= 30
			}
		}
		if err := w.Upload(values); err != nil {
			t.Fatal(err)
		}
		train, err := Compile(dev, g, w, Options{Grads: true})
		if err != nil {
			t.Fatal(err)
		}
		eval, err := Compile(dev, g, w, Options{})
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		ids, targets := make([]int32, batch*seq), make([]int32, batch*seq)
		for i := range ids {
			ids[i], targets[i] = int32(rng.IntN(c.VocabSize)), int32(rng.IntN(c.VocabSize))
		}
		loss := func(p *Program) float64 {
			if err := p.SetBatch(ids, targets); err != nil {
				t.Fatal(err)
			}
			p.Run()
			l, err := p.Loss()
			if err != nil {
				t.Fatal(err)
			}
			return float64(l)
		}
		dev.Zero(w.AllGrad)
		loss(train)
		grads, err := w.DownloadGrads()
		if err != nil {
			t.Fatal(err)
		}
		const epsScale = 3e-3 // small: the final norm makes the loss curve sharply in the biases
		for i, spec := range g.Specs {
			// Along the tensor's own gradient the loss moves most for a
			// given step, which keeps float32's rounding of the loss small
			// next to the difference; a gradient of another tensor (two
			// outputs swapped) would not match.
			v := grads[i]
			var proj, norm float64
			for j := range v {
				proj += float64(v[j]) * float64(grads[i][j])
				norm += float64(v[j]) * float64(v[j])
			}
			eps := epsScale / math.Sqrt(norm)
			shifted := func(sign float64) float64 {
				p := append([][]float32(nil), values...)
				p[i] = make([]float32, len(v))
				for j := range v {
					p[i][j] = values[i][j] + float32(sign*eps)*v[j]
				}
				if err := w.Upload(p); err != nil {
					t.Fatal(err)
				}
				return loss(eval)
			}
			num := (shifted(1) - shifted(-1)) / (2 * eps)
			if math.Abs(num-proj) > 0.02*math.Abs(proj)+1e-7 {
				t.Errorf("tied=%v %s: gradient along a direction %.6g, finite difference %.6g", tied, spec.Name, proj, num)
			} else {
				t.Logf("tied=%v %s: %.6g vs %.6g", tied, spec.Name, proj, num)
			}
		}
		train.Free()
		eval.Free()
		w.Free()
		dev.Close()
	}
}
