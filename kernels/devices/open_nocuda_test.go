//go:build !plateau_cuda && !plateau_cudaemu

package devices

import (
	"strings"
	"testing"
)

// TestOpenCUDAWithoutTag: a binary built without the CUDA device says how
// to get one instead of failing obscurely.
func TestOpenCUDAWithoutTag(t *testing.T) {
	if CUDA {
		t.Fatal("CUDA is true in a build without -tags plateau_cuda")
	}
	for _, name := range []string{"cuda", "cuda:1"} {
		for _, prec := range []string{"", "tf32", "bf16"} {
			d, err := Open(name, 0, prec)
			if err == nil || !strings.Contains(err.Error(), "built without -tags plateau_cuda") ||
				!strings.Contains(err.Error(), "go build -tags plateau_cuda") {
				t.Errorf("Open(%q, %q): device %v, error %v", name, prec, d, err)
			}
		}
	}
}
