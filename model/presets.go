package model

import (
	"fmt"
	"strings"
)

// Shape is the part of a Config that a preset fixes; the vocabulary comes
// from the tokenizer a run uses.
type Shape struct {
	Hidden, Layers, Heads, KVHeads int
}

// presets is the ladder sweeps walk: non-embedding parameters grow about 2x
// per rung (1.5x at the top) from about 0.1M to about 140M, head dim 32 up to 2M and 64 above,
// depth and width grown together as in published scaling ladders.
var presets = []struct {
	Name string
	Shape
}{
	{"n100k", Shape{64, 2, 2, 2}},
	{"n200k", Shape{64, 4, 2, 2}},
	{"n400k", Shape{96, 4, 3, 3}},
	{"n800k", Shape{128, 4, 4, 4}},
	{"n2m", Shape{160, 6, 5, 5}},
	{"n3m5", Shape{192, 8, 6, 6}},
	{"n6m", Shape{256, 8, 4, 4}},
	{"n13m", Shape{320, 10, 5, 5}},
	{"n25m", Shape{384, 14, 6, 6}},
	{"n50m", Shape{512, 16, 8, 8}},
	{"n80m", Shape{640, 16, 10, 10}},
	{"n140m", Shape{768, 20, 12, 12}},
}

// PresetNames lists the presets from smallest to largest.
func PresetNames() []string {
	names := make([]string, len(presets))
	for i, p := range presets {
		names[i] = p.Name
	}
	return names
}

// Preset returns the named preset as a Config for the given vocabulary size
// and context length.
func Preset(name string, vocab, maxPositions int) (Config, error) {
	for _, p := range presets {
		if p.Name == name {
			return NewConfig(p.Shape, vocab, maxPositions), nil
		}
	}
	return Config{}, fmt.Errorf("unknown preset %q: want one of %s", name, strings.Join(PresetNames(), ", "))
}

// SwiGLUWidth is the feed-forward width practitioners use with SwiGLU: 8/3 of
// the model width (same parameters as a 4x GELU MLP), rounded up to a
// multiple of 64.
func SwiGLUWidth(hidden int) int {
	return (8*hidden/3 + 63) / 64 * 64
}

// NewConfig fills a Config from a shape with plateau's defaults: SwiGLU
// width, RMSNorm eps 1e-5, RoPE theta 10000, untied embeddings.
func NewConfig(s Shape, vocab, maxPositions int) Config {
	return Config{
		VocabSize:             vocab,
		HiddenSize:            s.Hidden,
		IntermediateSize:      SwiGLUWidth(s.Hidden),
		NumHiddenLayers:       s.Layers,
		NumAttentionHeads:     s.Heads,
		NumKeyValueHeads:      s.KVHeads,
		RMSNormEps:            1e-5,
		RopeTheta:             10000,
		MaxPositionEmbeddings: maxPositions,
	}
}
