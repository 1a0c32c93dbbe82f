//go:build !amd64

package cpu

// gemvAVX2 is false off amd64: sdot4 runs in Go.
var gemvAVX2 = false

// sdot4 sets out[r] = a·b[r*ldb : r*ldb+len(a)] for r < 4.
func sdot4(a, b []float32, ldb int, out *[4]float32) { sdot4Go(a, b, ldb, out) }
