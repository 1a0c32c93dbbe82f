package data

// aliasCell is one column of an alias table packed in a uint64: the low 40
// bits hold the column's own share out of 2^32, the high bits the index of
// the alias entry that takes the rest.
type aliasCell = uint64

const (
	aliasShift = 40
	aliasMask  = 1<<aliasShift - 1
	aliasUnit  = uint64(1) << 32 // capacity of one column
)

// quantize sets q to integer weights proportional to w that are at least 1
// and sum to exactly total, so that q[j]/total is an exact probability. The
// rounding remainder goes to the largest weight.
func quantize(q []uint64, w []float64, total uint64) {
	sum := 0.0
	for _, v := range w {
		sum += v
	}
	var got uint64
	big := 0
	for j, v := range w {
		q[j] = max(1, uint64(v/sum*float64(total)))
		got += q[j]
		if q[j] > q[big] {
			big = j
		}
	}
	q[big] += total - got // wraps to a subtraction when got > total
}

// buildAlias fills cells with Vose's alias table for integer weights q that
// sum to exactly len(q) * 2^32. Picking a column c uniformly and a uniform
// 32-bit v, the entry is c when v < share(c) and alias(c) otherwise; entry j
// then comes out with probability exactly q[j] / (len(q) * 2^32), because the
// integer arithmetic leaves no rounding.
func buildAlias(cells []aliasCell, q []uint64) {
	rest := make([]uint64, len(q))
	copy(rest, q)
	var small, large []int
	for j, v := range rest {
		if v < aliasUnit {
			small = append(small, j)
		} else {
			large = append(large, j)
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s := small[len(small)-1]
		small = small[:len(small)-1]
		l := large[len(large)-1]
		cells[s] = rest[s] | uint64(l)<<aliasShift
		rest[l] -= aliasUnit - rest[s]
		if rest[l] < aliasUnit {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// The weights sum to len(q) columns exactly, so whatever is left fills
	// its own column: share 2^32, never the alias.
	for _, j := range append(small, large...) {
		cells[j] = aliasUnit | uint64(j)<<aliasShift
	}
}

// drawCell packs an alias column together with its tokens, so that a draw
// reads one word: bits 0..32 hold the share of the column's own token out
// of 2^32 (up to 2^32 itself), bits 33..47 that token and bits 48..62 the
// alias token. Tokens must be below 2^15.
func drawCell(share uint64, self, alias int32) uint64 {
	return share | uint64(self)<<cellSelf | uint64(alias)<<cellAlias
}

const (
	cellShareMask = 1<<33 - 1
	cellSelf      = 33
	cellAlias     = 48
	cellTokMask   = 1<<15 - 1
)

// cellSides returns the two tokens of a drawCell and their weights out of
// 2^32.
func cellSides(cell uint64) (self, alias int32, wSelf, wAlias uint64) {
	share := cell & cellShareMask
	return int32(cell >> cellSelf & cellTokMask), int32(cell >> cellAlias & cellTokMask), share, aliasUnit - share
}
