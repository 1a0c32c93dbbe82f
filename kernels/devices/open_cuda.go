//go:build plateau_cuda || plateau_cudaemu

package devices

import (
	"fmt"

	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/kernels/cuda"
)

// CUDA reports whether this binary contains the CUDA device.
const CUDA = true

func openCUDA(ordinal int, precision string) (kernels.Device, error) {
	p, err := cuda.ParsePrecision(precision)
	if err != nil {
		return nil, fmt.Errorf("device cuda: %w", err)
	}
	return cuda.New(ordinal, p)
}
