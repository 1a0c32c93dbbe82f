//go:build openblas

package cpu

// gemmPoolExact: see poolbits_native_test.go.
const gemmPoolExact = false
