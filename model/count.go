package model

// Params is the total number of parameters, embeddings included.
func (c Config) Params() int64 {
	n := c.NonEmbeddingParams() + int64(c.VocabSize)*int64(c.HiddenSize)
	if !c.TieWordEmbeddings {
		n += int64(c.VocabSize) * int64(c.HiddenSize)
	}
	return n
}

// NonEmbeddingParams is N as Kaplan et al. (2020) count it: every parameter
// except the token embedding and the (untied) output head.
func (c Config) NonEmbeddingParams() int64 {
	if c.Family == LSTM {
		return c.lstmNonEmbeddingParams()
	}
	d, kv, f := int64(c.HiddenSize), int64(c.KVDim()), int64(c.IntermediateSize)
	perLayer := d*d*2 + 2*d*kv + 3*d*f + 2*d
	return int64(c.NumHiddenLayers)*perLayer + d
}

// FLOPsPerToken is the training cost of one token at context length seq:
// 6 FLOPs per matmul weight (non-embedding weights and the output head; the
// embedding is a gather) plus the causal attention term 6*L*d*seq (QK^T and
// AV, forward and backward, over the half of the score matrix that is kept).
// It is the accounting the GPU reference uses, so MFU figures compare. An
// LSTM has no attention term: each token's step multiplies by both gate
// weights of every layer once, which the 6 FLOPs per weight already count,
// so compute C compares across families at equal N.
func (c Config) FLOPsPerToken(seq int) float64 {
	d, L := float64(c.HiddenSize), float64(c.NumHiddenLayers)
	head := float64(c.VocabSize) * d
	flops := 6 * (float64(c.NonEmbeddingParams()) + head)
	if c.Family == Transformer {
		flops += 6 * L * d * float64(seq)
	}
	return flops
}
