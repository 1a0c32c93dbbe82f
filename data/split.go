package data

import (
	"errors"
	"fmt"
	"hash/fnv"
)

// Split divides c's documents into training and validation sets. Each whole
// document goes to validation when a hash of (seed, its content) falls below
// valFraction, so the split is stable under reordering or adding documents,
// and identical documents always land on the same side. Both sets keep the
// corpus order.
//
// With at least two documents and valFraction > 0, neither set is left
// empty: if the hash puts every document on one side, the document closest
// to the threshold moves to the other. A single document always goes to
// training. An empty corpus or a valFraction outside [0, 1) is an error.
func Split(c *Corpus, valFraction float64, seed uint64) (train, val [][]byte, err error) {
	if c == nil || len(c.Docs) == 0 {
		return nil, nil, errors.New("split: corpus has no documents")
	}
	if !(valFraction >= 0 && valFraction < 1) {
		return nil, nil, fmt.Errorf("split %s: validation fraction %v outside [0, 1)", c.Name, valFraction)
	}
	u := make([]float64, len(c.Docs))
	isVal := make([]bool, len(c.Docs))
	lo, hi, nVal := 0, 0, 0
	for i, d := range c.Docs {
		u[i] = docUniform(d, seed)
		isVal[i] = u[i] < valFraction // the same decision as IsValDoc
		if isVal[i] {
			nVal++
		}
		if u[i] < u[lo] {
			lo = i
		}
		if u[i] > u[hi] {
			hi = i
		}
	}
	if len(c.Docs) >= 2 && valFraction > 0 {
		switch nVal {
		case 0:
			isVal[lo] = true
		case len(c.Docs):
			isVal[hi] = false
		}
	}
	for i, d := range c.Docs {
		if isVal[i] {
			val = append(val, d)
		} else {
			train = append(train, d)
		}
	}
	return train, val, nil
}

// IsValDoc reports whether Split puts doc in validation by its hash alone:
// the per-document decision that streaming preparation makes one document
// at a time. (Split additionally keeps both sides non-empty.)
func IsValDoc(doc []byte, valFraction float64, seed uint64) bool {
	return docUniform(doc, seed) < valFraction
}

// docUniform maps (doc content, seed) to a number in [0, 1).
func docUniform(doc []byte, seed uint64) float64 {
	h := fnv.New64a()
	h.Write(doc)
	x := mix64(h.Sum64() ^ mix64(seed))
	return float64(x>>11) / (1 << 53)
}

// mix64 is the SplitMix64 finalizer, a bijective scrambling of 64 bits.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
