// Package openblas is the cgo binding to OpenBLAS's single-precision GEMM
// that package cpu uses under the build tag openblas. It lives apart from
// package cpu because a package that uses cgo cannot also hold Go assembly,
// and package cpu does. Without the tag the package is empty.
package openblas
