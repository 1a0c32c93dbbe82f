// Package golden loads the PyTorch reference cases in model/testdata/golden
// (a Llama in Hugging Face conventions with its loss, logits, gradients, the
// parameters after one AdamW step and a greedy continuation) for the tests
// of every package that must reproduce them.
package golden

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/model/safetensors"
)

// Names lists the cases.
var Names = []string{"tiny-mha", "small-gqa"}

// AdamW holds the optimizer settings of a case.
type AdamW struct {
	LR          float64 `json:"lr"`
	Beta1       float64 `json:"beta1"`
	Beta2       float64 `json:"beta2"`
	Eps         float64 `json:"eps"`
	WeightDecay float64 `json:"weight_decay"`
}

// Case is one reference case.
type Case struct {
	Name   string
	Dir    string // the model folder
	Config model.Config
	Params [][]float32 // ParamSpecs order

	InputIDs           [][]int32 `json:"input_ids"`
	Targets            [][]int32 `json:"targets"`
	Loss               float64   `json:"loss"`
	AdamW              AdamW     `json:"adamw"`
	LossAfterStep1     float64   `json:"loss_after_step1"`
	GreedyPrompt       []int32   `json:"greedy_prompt"`
	GreedyContinuation []int32   `json:"greedy_continuation"`

	Expected *safetensors.File // logits, grad.<name>, step1.<name>
}

// Dir is the folder holding the cases: $PLATEAU_GOLDEN when set (a test
// binary built on one machine and run on another, such as the GPU check),
// else model/testdata/golden of the source tree the binary was built from.
func Dir() string {
	if dir := os.Getenv("PLATEAU_GOLDEN"); dir != "" {
		return dir
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "model", "testdata", "golden")
}

// Load reads the named case through the same loader cmd/eval uses.
func Load(name string) (*Case, error) {
	dir := filepath.Join(Dir(), name)
	c := &Case{Name: name, Dir: dir}
	var err error
	if c.Config, c.Params, err = model.LoadFolder(dir); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, c); err != nil {
		return nil, fmt.Errorf("%s/case.json: %w", name, err)
	}
	if c.Expected, err = safetensors.ReadFile(filepath.Join(dir, "expected.safetensors")); err != nil {
		return nil, err
	}
	return c, nil
}

// Flat returns the ids and targets batch-major, and the batch and sequence sizes.
func (c *Case) Flat() (ids, targets []int32, batch, seq int) {
	batch, seq = len(c.InputIDs), len(c.InputIDs[0])
	for b := range c.InputIDs {
		ids = append(ids, c.InputIDs[b]...)
		targets = append(targets, c.Targets[b]...)
	}
	return ids, targets, batch, seq
}

// RelMaxErr is max|got-want| / max|want|: the error relative to the
// reference's max-norm, the measure the golden tolerances use.
func RelMaxErr(got, want []float32) float64 { return RelMaxErrFloor(got, want, 0) }

// RelMaxErrFloor is max|got-want| / max(max|want|, floor): RelMaxErr with
// the norm no smaller than floor, the scale the values would have if they
// did not vanish. A result that is exactly zero in exact arithmetic (the
// gradient of a query that attends to one key) is rounding noise on every
// device, and noise divided by noise says nothing; against the floor it is
// an absolute error at the scale of the inputs.
func RelMaxErrFloor(got, want []float32, floor float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var diff, norm float64
	for i := range want {
		diff = math.Max(diff, math.Abs(float64(got[i])-float64(want[i])))
		norm = math.Max(norm, math.Abs(float64(want[i])))
	}
	norm = math.Max(norm, floor)
	if norm == 0 {
		return diff
	}
	return diff / norm
}

// ForEach runs fn as a subtest for every case in Names, with the case
// loaded; a case that fails to load fails its subtest.
func ForEach(t *testing.T, fn func(t *testing.T, gc *Case)) {
	t.Helper()
	for _, name := range Names {
		t.Run(name, func(t *testing.T) {
			gc, err := Load(name)
			if err != nil {
				t.Fatal(err)
			}
			fn(t, gc)
		})
	}
}
