package devices

import (
	"flag"
	"fmt"

	"github.com/plateau-lab/plateau/kernels"
)

// Flags are the command-line flags every command uses to choose its device:
// -device, -precision and -threads.
type Flags struct {
	Device    string // cpu, cuda or cuda:N
	Precision string // GEMM precision on the GPU; "" is the device's default
	Threads   int    // CPU threads; <= 0 is all cores
}

// Register adds -device, -precision and -threads to fs, writing into f.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Device, "device", "cpu", "device: cpu, or cuda / cuda:N in a binary built with -tags plateau_cuda (or plateau_cudaemu: the emulated GPU)")
	fs.StringVar(&f.Precision, "precision", "", "GEMM precision on cuda: fp32, tf32 or bf16 (empty: tf32); the CPU computes in fp32")
	fs.IntVar(&f.Threads, "threads", 0, "CPU threads (0: all cores)")
}

// Open opens the device the flags name; an error names the flag.
func (f *Flags) Open() (kernels.Device, error) {
	d, err := Open(f.Device, f.Threads, f.Precision)
	if err != nil {
		return nil, fmt.Errorf("flag -device: %w", err)
	}
	return d, nil
}
