//go:build !amd64

package cpu

// spinPause marks one turn of a spin loop; a no-op off amd64.
func spinPause() {}
