//go:build plateau_cudaemu

package cuda

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/kernels/cuda/emu"
)

// TestEmulatorKernelTable: every .cu file has its module file in emu/, and
// the kernels compiled into the emulator are exactly those names.go lists
// (opening the device checks the other way: every listed kernel has PTX and
// an emulated implementation).
func TestEmulatorKernelTable(t *testing.T) {
	cus, err := filepath.Glob("*.cu")
	if err != nil {
		t.Fatal(err)
	}
	for _, cu := range cus {
		m := strings.TrimSuffix(cu, ".cu")
		if _, err := os.Stat(filepath.Join("emu", "module_"+m+".cc")); err != nil {
			t.Errorf("%s has no emu/module_%s.cc: %v", cu, m, err)
		}
	}
	listed := map[string]bool{}
	for _, s := range kernelSpecs {
		listed[s.module+"/"+s.entry] = true
	}
	for m, entries := range emu.Registered() {
		if m == "selftest" {
			continue // the emulator's own test kernels
		}
		for _, e := range entries {
			if !listed[m+"/"+e] {
				t.Errorf("emu/module_%s.cc registers %s, which names.go does not list", m, e)
			}
		}
	}
	openGPU(t, FP32) // fails if a listed kernel lacks PTX or an emulated implementation
}
