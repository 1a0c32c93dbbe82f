package cpu

// EmbeddingForward gathers token embeddings: out[r,:] = w[ids[r],:] for every
// row r < len(ids). w is the [vocab, d] table and out is [len(ids), d].
// Precondition: every id is in [0, vocab); an id outside the table makes the
// slice bounds check fail.
func EmbeddingForward[T Float](p *Pool, out, w []T, ids []int32, d int) {
	parallelOn(p, len(ids), opGrain(d), embeddingFwd[T]{out: out, w: w, ids: ids, d: d})
}

// embeddingFwd is the loop of EmbeddingForward over rows.
type embeddingFwd[T Float] struct {
	out, w []T
	ids    []int32
	d      int
}

func (t *embeddingFwd[T]) run(_, lo, hi int) {
	d := t.d
	for r := lo; r < hi; r++ {
		id := int(t.ids[r])
		copy(t.out[r*d:(r+1)*d], t.w[id*d:(id+1)*d])
	}
}

// EmbeddingBackward is the gradient of EmbeddingForward with respect to the
// table: dw ([vocab, d], vocab = len(dw)/d) is zeroed, then dout[r,:] is added
// into dw[ids[r],:] for every row r < len(ids).
//
// The vocabulary rows are split among the threads: each thread scans all ids
// and handles only those that fall in its own part of the table, so no two
// threads write the same row and every row of dw sums its contributions in
// row order. The result is thus the same bit for bit for any pool size.
// Precondition: ids in [0, vocab); ids outside it contribute nothing.
func EmbeddingBackward[T Float](p *Pool, dw []T, ids []int32, dout []T, d int) {
	if d <= 0 {
		return
	}
	vocab := len(dw) / d
	// Each chunk scans every id, so keep chunks large enough that the scan
	// does not dominate: at least len(ids)/8 table rows, and opMinWork elements.
	grain := opGrain(d)
	if g := len(ids) / 8; g > grain {
		grain = g
	}
	parallelOn(p, vocab, grain, embeddingBwd[T]{dw: dw, ids: ids, dout: dout, d: d})
}

// embeddingBwd is the loop of EmbeddingBackward over rows of the table.
type embeddingBwd[T Float] struct {
	dw   []T
	ids  []int32
	dout []T
	d    int
}

func (t *embeddingBwd[T]) run(_, lo, hi int) {
	d := t.d
	clear(t.dw[lo*d : hi*d])
	for r, id := range t.ids {
		v := int(id)
		if v < lo || v >= hi {
			continue
		}
		dst := t.dw[v*d : (v+1)*d]
		src := t.dout[r*d : (r+1)*d]
		src = src[:len(dst)]
		for j := range dst {
			dst[j] += src[j]
		}
	}
}
