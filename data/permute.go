package data

// permutation is a pseudo-random bijection of [0, n) that is evaluated one
// index at a time in O(1) without storing a table: a four-round Feistel
// network over the smallest even power of two covering n, with cycle
// walking to stay inside [0, n). Each key gives a different permutation, so
// an epoch of windows is visited in a fresh order without any state.
type permutation struct {
	n    uint64
	half uint   // bits per Feistel half
	mask uint64 // (1 << half) - 1
	keys [4]uint64
}

// newPermutation returns the permutation of [0, n) for key; n > 0.
func newPermutation(n, key uint64) permutation {
	half := uint(1)
	for uint64(1)<<(2*half) < n {
		half++
	}
	p := permutation{n: n, half: half, mask: 1<<half - 1}
	for r := range p.keys {
		p.keys[r] = mix64(key ^ mix64(uint64(r)+1))
	}
	return p
}

// at returns the image of i, which must be in [0, n).
func (p permutation) at(i uint64) uint64 {
	for {
		i = p.round(i)
		if i < p.n {
			return i
		}
	}
}

// round applies the Feistel network once to a value of 2*half bits.
func (p permutation) round(x uint64) uint64 {
	l, r := x>>p.half, x&p.mask
	for _, k := range p.keys {
		l, r = r, l^(mix64(r^k)&p.mask)
	}
	return l<<p.half | r
}
