package train

import (
	"testing"

	"github.com/plateau-lab/plateau/internal/race"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
)

// TestStepAllocs checks the rule that a training step only fills memory
// planned before the first one: once a few steps have run (the kernels'
// scratch grows to its size on first use), Step and Evaluate allocate
// nothing. The shapes are big enough for the parallel GEMM paths (split
// along k for the weight gradients, along rows or columns otherwise) and
// the thread counts give the pool real workers. The Go runtime itself may
// allocate now and then (a parked goroutine's sudog when its processor's
// cache is empty); spread over the runs that stays below one per call.
func TestStepAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector's instrumentation allocates")
	}
	tests := []struct {
		name                         string
		hidden, layers, heads, kv    int // heads 0: an LSTM
		vocab, batch, seq, accum, th int
	}{
		{"mha-accum1-2threads", 64, 1, 4, 4, 256, 8, 128, 1, 2},
		{"gqa-accum2-3threads", 64, 2, 4, 2, 300, 4, 160, 2, 3},
		{"lstm-accum2-2threads", 64, 2, 0, 0, 300, 8, 64, 2, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := model.NewConfig(model.Shape{Hidden: tc.hidden, Layers: tc.layers, Heads: tc.heads, KVHeads: tc.kv}, tc.vocab, tc.seq)
			if tc.heads == 0 {
				cfg = model.NewLSTMConfig(tc.hidden, tc.layers, tc.vocab, tc.seq)
			}
			d := Data{Train: patterned(20000, tc.vocab, 1), Val: patterned(4000, tc.vocab, 2)}
			opt := Options{Batch: tc.batch, Seq: tc.seq, Accum: tc.accum, Steps: 100,
				Schedule: Schedule{Kind: "cosine", LR: 3e-3, MinLR: 3e-4, Warmup: 3},
				AdamW:    DefaultAdamW, Seed: 7, EvalBatches: 2}
			dev := kernels.NewCPU(tc.th)
			defer dev.Close()
			tr, err := New(dev, cfg, d, opt)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			step := 0
			calls := []struct {
				name string
				fn   func() error
			}{
				{"Step", func() error {
					_, _, err := tr.Step(step)
					step++
					return err
				}},
				{"Evaluate", func() error {
					_, err := tr.Evaluate()
					return err
				}},
			}
			for _, c := range calls {
				for range 3 {
					if err := c.fn(); err != nil {
						t.Fatal(err)
					}
				}
				var callErr error
				allocs := testing.AllocsPerRun(20, func() {
					if err := c.fn(); err != nil && callErr == nil {
						callErr = err
					}
				})
				if callErr != nil {
					t.Fatal(callErr)
				}
				if allocs != 0 {
					t.Errorf("%s: %v allocations per call, want 0", c.name, allocs)
				}
			}
		})
	}
}
