//go:build openblas

package kernels

// gemmBackend names what runs the CPU device's GEMMs.
const gemmBackend = "OpenBLAS"
