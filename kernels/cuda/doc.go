// Package cuda is plateau's NVIDIA GPU device: a kernels.Device whose
// buffers live in GPU memory and whose kernels are the CUDA C sources in
// this folder (*.cu, named like their CPU counterparts in kernels/cpu),
// compiled to PTX by `go generate` (scripts/gen-ptx.sh runs nvcc; the PTX in
// ptx/ is committed and embedded), loaded through gorgonia.org/cu and run on
// one stream. GEMMs go to cuBLAS.
//
// Every file that imports gorgonia.org/cu or uses cgo carries the build tag
// plateau_cuda: cu initialises the driver in its package init and exits the
// process when there is no GPU, so CUDA code exists only in binaries built
// with -tags plateau_cuda. (The tag is not plain "cuda": gorgonia itself
// compiles its own cuDNN-based CUDA path under that tag, which plateau does
// not use and which needs cuDNN to build.) The untagged files (kernel
// names, embedded PTX, precision, the AdamW scalars) build everywhere, so
// their tests run without a GPU.
package cuda

//go:generate ../../scripts/gen-ptx.sh
//go:generate ../../scripts/emu-sources.sh
