//go:build !openblas

package cpu

// gemmPoolExact says whether the parallel float32 GEMM gives the same bits
// for any pool size: the native one does (its threads split C, never the
// sums); under OpenBLAS the bands of rows each thread hands to
// cblas_sgemm are rounded by kernels that depend on the band's size.
const gemmPoolExact = true
