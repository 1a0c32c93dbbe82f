package infer

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
)

// TestLoadHalfPrecisionFolders loads Llama folders stored in bfloat16 and
// float16, written byte by byte by scripts/make_hf_fixtures.py (not by
// plateau), and checks the logits against that script's float64 forward
// pass on the same rounded weights.
func TestLoadHalfPrecisionFolders(t *testing.T) {
	for _, name := range []string{"hf-bf16", "hf-f16"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", name)
			raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			var want struct {
				IDs    []int32     `json:"ids"`
				Logits [][]float64 `json:"logits"`
			}
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			m, err := Open(kernels.NewCPU(1), dir)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			got, err := m.Logits([][]int32{want.IDs})
			if err != nil {
				t.Fatal(err)
			}
			v := m.Config.VocabSize
			for pos, row := range want.Logits {
				scale := 0.0
				for _, x := range row {
					scale = math.Max(scale, math.Abs(x))
				}
				for i, x := range row {
					if g := float64(got[pos*v+i]); math.Abs(g-x) > 1e-4*scale {
						t.Fatalf("position %d logit %d: plateau %v, reference %v", pos, i, g, x)
					}
				}
			}
		})
	}
}
