package infer

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/model/llama2c"
)

// uploadOnly is a CPU device that hides its HostMemory method, so models
// are uploaded to it as to a GPU.
type uploadOnly struct{ kernels.Device }

// TestOpenMapped checks that a model opened from a folder or a llama2.c
// checkpoint, whose weights are memory-mapped and used in place on the CPU
// (or uploaded and unmapped on a device without host memory), gives the
// logits of the same model read into memory, bit for bit.
func TestOpenMapped(t *testing.T) {
	c := testConfigs[0]
	c.RMSNormEps = 1e-5 // llama2.c's
	values := c.Init(7)
	dir := t.TempDir()
	folder, ck := filepath.Join(dir, "folder"), filepath.Join(dir, "model.bin")
	if err := model.SaveFolder(folder, c, values, nil); err != nil {
		t.Fatal(err)
	}
	if err := llama2c.WriteFile(ck, c, values, 1); err != nil {
		t.Fatal(err)
	}
	ids := [][]int32{{3, 1, 4, 1, 5, 9, 2, 6}}
	for _, path := range []string{folder, ck} {
		cfg, vals, _, err := ReadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := New(kernels.NewCPU(2), cfg, vals, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ref.Logits(ids)
		ref.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, dev := range []kernels.Device{kernels.NewCPU(2), uploadOnly{kernels.NewCPU(1)}} {
			m, err := Open(dev, path)
			if err != nil {
				t.Fatal(err)
			}
			_, inPlace := dev.(kernels.HostMemory)
			if inPlace != (m.release != nil) {
				t.Errorf("%s on %T: keeps the mapping %v, want %v", path, dev, m.release != nil, inPlace)
			}
			got, err := m.Logits(ids)
			m.Close()
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s on %T: logit %d is %v, read into memory %v", path, dev, i, got[i], want[i])
				}
			}
		}
	}
}
