package kernels

import "fmt"

// Wrap returns a buffer that is data itself (HostMemory): no copy is made,
// so a model can run from weights memory-mapped from a file. Free drops the
// device's reference; data stays the caller's.
func (d *CPU) Wrap(data []float32) (Buf, error) {
	if data == nil {
		return Buf{}, fmt.Errorf("wrap: nil slice")
	}
	d.next++
	d.f32[d.next] = data
	return Buf{mem: d.next, N: len(data), DT: F32}, nil
}
