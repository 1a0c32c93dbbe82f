package kernels

import (
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/model"
)

func tinyProgram(t *testing.T, batch, seq int, opt Options) (*Program, *Weights, model.Config) {
	t.Helper()
	c := model.NewConfig(model.Shape{Hidden: 32, Layers: 2, Heads: 4, KVHeads: 2}, 50, 64)
	g, err := model.Build(c, batch, seq, opt.Grads)
	if err != nil {
		t.Fatal(err)
	}
	dev := NewCPU(2)
	w, err := NewWeights(dev, g.Specs, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Upload(c.Init(1)); err != nil {
		t.Fatal(err)
	}
	p, err := Compile(dev, g, w, opt)
	if err != nil {
		t.Fatal(err)
	}
	return p, w, c
}

func TestSetBatchErrors(t *testing.T) {
	p, _, _ := tinyProgram(t, 2, 5, Options{})
	ok := make([]int32, 10)
	cases := []struct {
		name         string
		ids, targets []int32
		want         string
	}{
		{"short", make([]int32, 9), ok, "want 10"},
		{"id too big", []int32{0, 1, 2, 50, 0, 0, 0, 0, 0, 0}, ok, "id 50 at position 3"},
		{"negative id", []int32{0, -1, 0, 0, 0, 0, 0, 0, 0, 0}, ok, "id -1 at position 1"},
		{"target too big", ok, []int32{0, 0, 0, 0, 0, 0, 0, 0, 0, 99}, "target 99 at position 9"},
	}
	for _, c := range cases {
		if err := p.SetBatch(c.ids, c.targets); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// TestArenaReuse: liveness planning must place the activations of a
// training step in much less memory than keeping every node's output.
func TestArenaReuse(t *testing.T) {
	p, _, _ := tinyProgram(t, 4, 16, Options{Grads: true})
	g := p.Graph()
	sum := 0
	for _, n := range g.G.AllNodes() {
		if n.Op() != nil {
			sum += n.Shape().TotalSize()
		}
	}
	if p.ArenaElems >= sum/2 {
		t.Errorf("arena of %d elements for %d elements of node outputs: want reuse to at least halve it", p.ArenaElems, sum)
	}
	t.Logf("arena %d elements, all node outputs %d", p.ArenaElems, sum)
}

// TestIgnoredTargets: positions with a negative target do not count.
func TestIgnoredTargets(t *testing.T) {
	p, _, _ := tinyProgram(t, 1, 6, Options{})
	ids := []int32{1, 2, 3, 4, 5, 6}
	if err := p.SetBatch(ids, []int32{2, 3, 4, -1, -1, -1}); err != nil {
		t.Fatal(err)
	}
	p.Run()
	partial, err := p.Loss()
	if err != nil {
		t.Fatal(err)
	}
	q, _, _ := tinyProgram(t, 1, 3, Options{})
	if err := q.SetBatch(ids[:3], []int32{2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	q.Run()
	short, err := q.Loss()
	if err != nil {
		t.Fatal(err)
	}
	if d := partial - short; d > 1e-6 || d < -1e-6 {
		t.Errorf("loss over 3 of 6 positions %v, loss of the 3-token prefix %v", partial, short)
	}
}

// TestOutOfMemory: a batch whose activations cannot fit is an error that
// names the batch and the memory it needs, not a crash.
func TestOutOfMemory(t *testing.T) {
	if _, ok := availableMemory(); !ok {
		t.Skip("available memory unknown on this OS")
	}
	c := model.NewConfig(model.Shape{Hidden: 64, Layers: 2, Heads: 2, KVHeads: 2}, 4096, 1<<16)
	g, err := model.Build(c, 512, 1<<16, false)
	if err != nil {
		t.Fatal(err)
	}
	dev := NewCPU(1)
	w, err := NewWeights(dev, g.Specs, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(dev, g, w, Options{})
	if err == nil {
		t.Fatal("no error for a 512 x 65536 batch")
	}
	for _, want := range []string{"batch 512 x seq 65536", "GiB"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}
