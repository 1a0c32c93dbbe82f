//go:build plateau_cuda || plateau_cudaemu

package devices

import (
	"strings"
	"testing"
)

// TestOpenCUDA opens GPU 0 (a GPU, or the emulated GPU) in each precision
// and refuses a GPU that is not there and an unknown precision.
func TestOpenCUDA(t *testing.T) {
	for _, prec := range []string{"", "fp32", "tf32", "bf16"} {
		d, err := Open("cuda", 0, prec)
		if err != nil {
			t.Fatalf("Open(cuda, %q): %v", prec, err)
		}
		if !strings.HasPrefix(d.Name(), "cuda") {
			t.Errorf("Open(cuda).Name() = %q", d.Name())
		}
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	}
	if _, err := Open("cuda:1000", 0, ""); err == nil || !strings.Contains(err.Error(), "device 1000 requested") {
		t.Errorf("cuda:1000: error %v", err)
	}
	if _, err := Open("cuda", 0, "fp16"); err == nil || !strings.Contains(err.Error(), "want fp32, tf32 or bf16") {
		t.Errorf("precision fp16: error %v", err)
	}
}
