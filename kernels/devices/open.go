// Package devices opens a kernels.Device by name, so that a command can
// offer -device cpu|cuda while the CUDA device is compiled only into
// binaries built with -tags plateau_cuda (its driver bindings need a GPU
// machine's libraries and exit the process when no GPU is present), or
// with -tags plateau_cudaemu, where "cuda" is the emulated GPU of
// kernels/cuda/emu.
package devices

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/plateau-lab/plateau/kernels"
)

// Open returns the device called name:
//
//   - "cpu": the host, on threads goroutines (<= 0: all cores). It computes
//     in float32 only, so precision must be "" or "fp32".
//   - "cuda" or "cuda:N": GPU 0 or GPU N, with GEMMs in precision "fp32",
//     "tf32" or "bf16" ("" is tf32); threads is unused. Only in binaries
//     built with -tags plateau_cuda (a GPU) or plateau_cudaemu (the emulated GPU).
//
// The caller closes the device.
func Open(name string, threads int, precision string) (kernels.Device, error) {
	switch {
	case name == "cpu":
		if precision != "" && precision != "fp32" {
			return nil, fmt.Errorf("device cpu: precision %q: the CPU computes in fp32 only", precision)
		}
		return kernels.NewCPU(threads), nil
	case name == "cuda" || strings.HasPrefix(name, "cuda:"):
		ordinal := 0
		if s, ok := strings.CutPrefix(name, "cuda:"); ok {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("device %q: want cuda:N with N a GPU number >= 0", name)
			}
			ordinal = n
		}
		return openCUDA(ordinal, precision)
	}
	return nil, fmt.Errorf("device %q: want cpu or cuda (cuda:N for GPU N)", name)
}
