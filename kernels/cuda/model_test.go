//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/plateau-lab/plateau/internal/golden"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
)

// result is what one training forward and backward computes.
type result struct {
	loss   float32
	logits []float32
	grads  [][]float32
}

// runModel compiles cfg for dev, sets params and the batch, runs forward and
// backward once and reads the loss, logits and gradients.
func runModel(t *testing.T, dev kernels.Device, cfg model.Config, params [][]float32, ids, targets []int32, batch, seq int) result {
	t.Helper()
	g, err := model.Build(cfg, batch, seq, true)
	if err != nil {
		t.Fatal(err)
	}
	w, err := kernels.NewWeights(dev, g.Specs, false)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Free()
	if err := w.Upload(params); err != nil {
		t.Fatal(err)
	}
	p, err := kernels.Compile(dev, g, w, kernels.Options{Grads: true, Logits: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Free()
	if err := p.SetBatch(ids, targets); err != nil {
		t.Fatal(err)
	}
	p.Run()
	var r result
	if r.loss, err = p.Loss(); err != nil {
		t.Fatal(err)
	}
	r.logits = make([]float32, batch*seq*cfg.VocabSize)
	if err := p.Logits(r.logits); err != nil {
		t.Fatal(err)
	}
	if r.grads, err = w.DownloadGrads(); err != nil {
		t.Fatal(err)
	}
	return r
}

// compare checks got against want (the reference) within tol, naming the
// gradients by specs.
func compare(t *testing.T, got, want result, specs []model.ParamSpec, tol tolerance) {
	t.Helper()
	if rel := math.Abs(float64(got.loss)-float64(want.loss)) / math.Abs(float64(want.loss)); rel > tol.loss {
		t.Errorf("loss %v, want %v (relative error %.2g, tolerance %.1g)", got.loss, want.loss, rel, tol.loss)
	}
	if e := golden.RelMaxErr(got.logits, want.logits); e > tol.logits {
		t.Errorf("logits: relative max error %.2g (tolerance %.1g)", e, tol.logits)
	}
	for i, s := range specs {
		if e := golden.RelMaxErr(got.grads[i], want.grads[i]); e > tol.grads {
			t.Errorf("grad %s: relative max error %.2g (tolerance %.1g)", s.Name, e, tol.grads)
		}
	}
}

// TestGoldenGPU runs the PyTorch reference cases on the GPU in every
// precision.
func TestGoldenGPU(t *testing.T) {
	golden.ForEach(t, func(t *testing.T, gc *golden.Case) {
		ids, targets, batch, seq := gc.Flat()
		g, err := model.Build(gc.Config, batch, seq, true)
		if err != nil {
			t.Fatal(err)
		}
		want := result{loss: float32(gc.Loss), logits: gc.Expected.Lookup("logits").Data}
		for _, s := range g.Specs {
			want.grads = append(want.grads, gc.Expected.Lookup("grad."+s.Name).Data)
		}
		for _, prec := range precisions {
			t.Run(prec.String(), func(t *testing.T) {
				got := runModel(t, openGPU(t, prec), gc.Config, gc.Params, ids, targets, batch, seq)
				compare(t, got, want, g.Specs, toleranceFor(prec))
				t.Logf("loss %.7f (PyTorch %.7f)", got.loss, gc.Loss)
			})
		}
	})
}

// TestGoldenAdamWStepGPU: fed PyTorch's gradients, one AdamW step over the
// flat arenas (decayed tensors first, as the trainer runs it) must give
// PyTorch's parameters within 1e-5 of their max-norm.
func TestGoldenAdamWStepGPU(t *testing.T) {
	golden.ForEach(t, func(t *testing.T, gc *golden.Case) {
		_, _, batch, seq := gc.Flat()
		g, err := model.Build(gc.Config, batch, seq, true)
		if err != nil {
			t.Fatal(err)
		}
		d := openGPU(t, FP32)
		w, err := kernels.NewWeights(d, g.Specs, true)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Free()
		grads := make([][]float32, len(g.Specs))
		for i, s := range g.Specs {
			grads[i] = gc.Expected.Lookup("grad." + s.Name).Data
		}
		if err := w.Upload(gc.Params); err != nil {
			t.Fatal(err)
		}
		if err := w.UploadGrads(grads); err != nil {
			t.Fatal(err)
		}
		scale, err := d.Alloc(1, kernels.F32)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Free(scale)
		if err := d.Upload(scale, []float32{1}); err != nil {
			t.Fatal(err)
		}
		a := gc.AdamW
		n, nd := w.AllW.N, w.DecayN
		for _, grp := range []struct {
			off, n int
			wd     float64
		}{{0, nd, a.WeightDecay}, {nd, n - nd, 0}} {
			if grp.n > 0 {
				d.AdamW(w.AllW.Slice(grp.off, grp.n), w.AllGrad.Slice(grp.off, grp.n), w.AllM.Slice(grp.off, grp.n),
					w.AllV.Slice(grp.off, grp.n), scale, float32(a.LR), float32(a.Beta1), float32(a.Beta2),
					float32(a.Eps), float32(grp.wd), 1)
			}
		}
		after, err := w.Download()
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Sync(); err != nil {
			t.Fatal(err)
		}
		for i, s := range g.Specs {
			if e := golden.RelMaxErr(after[i], gc.Expected.Lookup("step1."+s.Name).Data); e > 1e-5 {
				t.Errorf("%s after one step: relative max error %.2g", s.Name, e)
			}
		}
	})
}

// randomModels are shapes the golden cases do not reach: odd vocabularies
// and sequence lengths, GQA, head dims 8 to 64.
var randomModels = []struct {
	shape        model.Shape
	vocab        int
	batch, seq   int
	ignoreTarget bool
}{
	{model.Shape{Hidden: 48, Layers: 2, Heads: 6, KVHeads: 2}, 101, 3, 37, true},
	{model.Shape{Hidden: 80, Layers: 1, Heads: 2, KVHeads: 1}, 257, 2, 65, false},
	{model.Shape{Hidden: 128, Layers: 2, Heads: 2, KVHeads: 2}, 500, 2, 130, false},
}

// TestModelMatchesCPU compares a forward and backward pass with the CPU
// device on random configurations in every precision.
func TestModelMatchesCPU(t *testing.T) {
	for i, m := range randomModels {
		cfg := model.NewConfig(m.shape, m.vocab, m.seq)
		params := cfg.Init(uint64(i + 1))
		r := rand.New(rand.NewPCG(uint64(i), 5))
		n := m.batch * m.seq
		ids, targets := make([]int32, n), make([]int32, n)
		for j := range ids {
			ids[j], targets[j] = int32(r.IntN(m.vocab)), int32(r.IntN(m.vocab))
			if m.ignoreTarget && j%7 == 0 {
				targets[j] = -1
			}
		}
		g, err := model.Build(cfg, m.batch, m.seq, true)
		if err != nil {
			t.Fatal(err)
		}
		c := kernels.NewCPU(2)
		want := runModel(t, c, cfg, params, ids, targets, m.batch, m.seq)
		c.Close()
		for _, prec := range precisions {
			name := fmt.Sprintf("d%d-l%d-h%d-kv%d-v%d-b%dx%d/%s", m.shape.Hidden, m.shape.Layers, m.shape.Heads,
				m.shape.KVHeads, m.vocab, m.batch, m.seq, prec)
			t.Run(name, func(t *testing.T) {
				got := runModel(t, openGPU(t, prec), cfg, params, ids, targets, m.batch, m.seq)
				compare(t, got, want, g.Specs, toleranceFor(prec))
			})
		}
	}
}
