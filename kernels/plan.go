package kernels

// align is the granularity of the activation arena in elements (64 bytes):
// every planned buffer starts on a cache line and suits vector loads.
const align = 16

// arenaPlan places buffers with known lifetimes in one arena. Buffers whose
// lifetimes do not overlap share memory: a buffer is placed in the first
// free gap that fits (first fit over the blocks live at its birth).
type arenaPlan struct {
	live []block // blocks live now, sorted by offset
	size int     // high-water mark
}

type block struct{ off, n, id int }

// place returns the offset for a buffer of n elements with the given id.
func (a *arenaPlan) place(n, id int) int {
	n = (n + align - 1) / align * align
	off := 0
	i := 0
	for ; i < len(a.live); i++ {
		if a.live[i].off-off >= n {
			break
		}
		off = a.live[i].off + a.live[i].n
	}
	a.live = append(a.live, block{})
	copy(a.live[i+1:], a.live[i:])
	a.live[i] = block{off, n, id}
	if off+n > a.size {
		a.size = off + n
	}
	return off
}

// release frees the buffer with the given id.
func (a *arenaPlan) release(id int) {
	for i, b := range a.live {
		if b.id == id {
			a.live = append(a.live[:i], a.live[i+1:]...)
			return
		}
	}
}
