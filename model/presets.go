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

// lstmPresets is the LSTM ladder, one rung per transformer rung with about
// its non-embedding parameter count (within 3.5%): two layers, as in the
// stacked LSTM language models of Zaremba et al. 2014 and Jozefowicz et
// al. 2016, the width a multiple of 4 picked for the match. Rung i
// matches presets[i]; the names swap the transformer's "n" for "lstm".
var lstmPresets = []struct {
	Name          string
	Hidden, Layer int
}{
	{"lstm100k", 80, 2},
	{"lstm200k", 116, 2},
	{"lstm400k", 168, 2},
	{"lstm800k", 232, 2},
	{"lstm2m", 344, 2},
	{"lstm3m5", 472, 2},
	{"lstm6m", 632, 2},
	{"lstm13m", 892, 2},
	{"lstm25m", 1244, 2},
	{"lstm50m", 1792, 2},
	{"lstm80m", 2228, 2},
	{"lstm140m", 2976, 2},
}

// PresetNames lists the transformer presets from smallest to largest.
func PresetNames() []string { return FamilyPresetNames(Transformer) }

// FamilyPresetNames lists a family's presets from smallest to largest.
func FamilyPresetNames(f Family) []string {
	var names []string
	for i := range presets {
		if f == LSTM {
			names = append(names, lstmPresets[i].Name)
		} else {
			names = append(names, presets[i].Name)
		}
	}
	return names
}

// AllPresetNames lists every family's presets, the transformer's first.
func AllPresetNames() []string {
	return append(PresetNames(), FamilyPresetNames(LSTM)...)
}

// presetRung returns the rung of a preset of either family and the family.
func presetRung(name string) (rung int, f Family, ok bool) {
	for i := range presets {
		switch name {
		case presets[i].Name:
			return i, Transformer, true
		case lstmPresets[i].Name:
			return i, LSTM, true
		}
	}
	return 0, 0, false
}

// PresetFamily says which family a preset belongs to.
func PresetFamily(name string) (Family, error) {
	_, f, ok := presetRung(name)
	if !ok {
		return 0, unknownPreset(name)
	}
	return f, nil
}

// MatchedPreset returns the preset of family f on the same rung as the
// named preset (of either family): the model of about the same
// non-embedding parameter count, "n2m" for "lstm2m" and the other way round.
func MatchedPreset(name string, f Family) (string, error) {
	i, _, ok := presetRung(name)
	if !ok {
		return "", unknownPreset(name)
	}
	return FamilyPresetNames(f)[i], nil
}

// PresetRank orders presets of both families by rung (then family): the
// order sweeps run them in. An unknown name ranks last.
func PresetRank(name string) int {
	i, f, ok := presetRung(name)
	if !ok {
		return 1 << 30
	}
	return 2*i + int(f)
}

func unknownPreset(name string) error {
	return fmt.Errorf("unknown preset %q: want one of %s", name, strings.Join(AllPresetNames(), ", "))
}

// Preset returns the named preset, of either family, as a Config for the
// given vocabulary size and context length.
func Preset(name string, vocab, maxPositions int) (Config, error) {
	i, f, ok := presetRung(name)
	if !ok {
		return Config{}, unknownPreset(name)
	}
	if f == LSTM {
		return NewLSTMConfig(lstmPresets[i].Hidden, lstmPresets[i].Layer, vocab, maxPositions), nil
	}
	return NewConfig(presets[i].Shape, vocab, maxPositions), nil
}

// NewLSTMConfig is an LSTM of the given width and depth with plateau's
// defaults: a final RMSNorm (eps 1e-5), untied embeddings.
func NewLSTMConfig(hidden, layers, vocab, maxPositions int) Config {
	return Config{
		Family:                LSTM,
		VocabSize:             vocab,
		HiddenSize:            hidden,
		NumHiddenLayers:       layers,
		RMSNormEps:            1e-5,
		MaxPositionEmbeddings: maxPositions,
	}
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
