package train

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
)

// faultDevice is a device that poisons one buffer at chosen calls of one
// kernel, standing in for a step that goes wrong. With kernel "SumSquares"
// it writes value into target before the gradient norm of a step is taken
// (target is a gradient: the backward pass produced a bad value); with
// "CrossEntropyForward" it overwrites the loss when the call writes to
// target (the training program's loss, not the evaluation's).
type faultDevice struct {
	kernels.Device
	kernel string
	target kernels.Buf
	value  float32
	poison func(call int) bool // which matching calls (1-based) poison
	seen   func(call int)      // called at every matching call before any poison
	calls  int
}

func (d *faultDevice) match(kernel string) (poison bool) {
	if d.kernel != kernel || !d.target.Valid() {
		return false
	}
	d.calls++
	if d.seen != nil {
		d.seen(d.calls)
	}
	return d.poison(d.calls)
}

func (d *faultDevice) hit() {
	v := make([]float32, min(d.target.N, 3))
	for i := range v {
		v[i] = d.value
	}
	if err := d.Device.Upload(d.target.Slice(0, len(v)), v); err != nil {
		panic(err) // a test fixture: the target was set up wrong
	}
}

func (d *faultDevice) SumSquares(out, x kernels.Buf) {
	if d.match("SumSquares") {
		d.hit()
	}
	d.Device.SumSquares(out, x)
}

func (d *faultDevice) CrossEntropyForward(loss, lse, logits, targets kernels.Buf, rows, vocab int) {
	d.Device.CrossEntropyForward(loss, lse, logits, targets, rows, vocab)
	if loss == d.target && d.match("CrossEntropyForward") {
		d.hit()
	}
}

// at returns a poison schedule that fires at the given calls.
func at(calls ...int) func(int) bool {
	return func(c int) bool { return slices.Contains(calls, c) }
}

// from returns a poison schedule that fires at call c and every later one.
func from(c int) func(int) bool { return func(n int) bool { return n >= c } }

// readMetricsFile reads out/metrics.jsonl.
func readMetricsFile(t *testing.T, out string) []Record {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := ReadMetrics(f)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// snapshot downloads the weights and both AdamW moments.
func snapshot(t *testing.T, w *kernels.Weights) [][][]float32 {
	t.Helper()
	p, err := w.Download()
	if err != nil {
		t.Fatal(err)
	}
	m, v, err := w.DownloadMoments()
	if err != nil {
		t.Fatal(err)
	}
	return [][][]float32{p, m, v}
}

// sameTensors reports whether a and b hold the same values bit for bit.
func sameTensors(a, b [][]float32) bool {
	return slices.EqualFunc(a, b, func(x, y []float32) bool {
		return slices.EqualFunc(x, y, func(p, q float32) bool { return math.Float32bits(p) == math.Float32bits(q) })
	})
}
