//go:build amd64

package cpu

// spinPause tells the CPU that the caller is in a spin loop (PAUSE), which
// saves power and lets a sibling hyperthread run.
//
//go:noescape
func spinPause()
