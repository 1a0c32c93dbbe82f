package cpu

// RoPEAt is RoPE with each row at a position of its own: row r of x and out
// ([len(pos), heads*hd]) is rotated by the angles of position pos[r], read
// from the [maxSeq, hd/2] tables cos and sin of RoPETables. It serves
// generation with a KV cache, where the new rows of a step sit after each
// sequence's cached prefix rather than at row % seq. out may be x itself
// but must not overlap it otherwise. Precondition: 0 <= pos[r] < maxSeq (a
// position past the tables fails the slice bounds check).
func RoPEAt[T Float](p *Pool, out, x, cos, sin []T, pos []int32, heads, hd int) {
	width := heads * hd
	if width <= 0 || hd/2 <= 0 {
		return
	}
	parallelOn(p, len(pos), opGrain(width), ropeAtLoop[T]{out: out, x: x, cos: cos, sin: sin,
		pos: pos, heads: heads, hd: hd})
}

// ropeAtLoop is the loop of RoPEAt over rows.
type ropeAtLoop[T Float] struct {
	out, x, cos, sin []T
	pos              []int32
	heads, hd        int
}

func (l *ropeAtLoop[T]) run(_, lo, hi int) {
	hd := l.hd
	half, width := hd/2, l.heads*hd
	for r := lo; r < hi; r++ {
		t := int(l.pos[r])
		c := l.cos[t*half : (t+1)*half]
		s := l.sin[t*half : (t+1)*half]
		xr := l.x[r*width : (r+1)*width]
		or := l.out[r*width : (r+1)*width]
		for h := range l.heads {
			rotateHalf(or[h*hd:h*hd+half], or[h*hd+half:(h+1)*hd],
				xr[h*hd:h*hd+half], xr[h*hd+half:(h+1)*hd], c, s, false)
		}
	}
}
