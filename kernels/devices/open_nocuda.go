//go:build !plateau_cuda && !plateau_cudaemu

package devices

import (
	"errors"

	"github.com/plateau-lab/plateau/kernels"
)

// CUDA reports whether this binary contains the CUDA device.
const CUDA = false

// errNoCUDA is what opening the GPU says in a binary built without it.
var errNoCUDA = errors.New("device cuda: plateau was built without -tags plateau_cuda; " +
	"rebuild on a machine with the CUDA toolkit with go build -tags plateau_cuda")

func openCUDA(int, string) (kernels.Device, error) { return nil, errNoCUDA }
