//go:build !amd64

package cpu

// sdot4 is the Go dot kernel off amd64.
func sdot4(a, b []float32, ldb int, out *[4]float32) { sdot4Go(a, b, ldb, out) }

// sgemv1 is the Go row kernel off amd64.
func sgemv1(a, b, c []float32) { sgemv1Go(a, b, c) }

// saxpy4 is the Go accumulation kernel off amd64.
func saxpy4(out, v []float32, ldv int, w *[4]float32) { saxpy4Go(out, v, ldv, w) }

// gemvAVX2 is false off amd64: the kernels run in Go.
var gemvAVX2 = false
