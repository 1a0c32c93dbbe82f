package data

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/plateau-lab/plateau/internal/atomicfile"
)

var updateSynth = flag.Bool("update-synth", false, "rewrite testdata/synth_golden.json from the current generator")

// synthGolden records, for seed 1 of each preset, what sweeps rely on staying
// the same from one version to the next: the vocabulary, the entropy rate
// and the start of two documents.
type synthGolden struct {
	Kind      string  `json:"kind"`
	VocabSize int     `json:"vocab_size"`
	Entropy   float64 `json:"entropy_rate"`
	Doc0      []int32 `json:"doc0"`
	Doc12345  []int32 `json:"doc12345"`
}

// TestSyntheticGolden compares the presets with testdata/synth_golden.json;
// run with -update-synth after an intended change of the generator.
func TestSyntheticGolden(t *testing.T) {
	var got []synthGolden
	for _, kind := range SyntheticKinds() {
		s, err := NewSynthetic(kind, 1)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := s.EntropyRate()
		got = append(got, synthGolden{kind, s.VocabSize(), h, s.Doc(0, 48), s.Doc(12345, 48)})
	}
	path := filepath.Join("testdata", "synth_golden.json")
	if *updateSynth {
		out, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		err = atomicfile.Write(path, func(w io.Writer) error {
			_, err := w.Write(append(out, '\n'))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want []synthGolden
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(want) != len(got) {
		t.Fatalf("%s holds %d presets, the package has %d", path, len(want), len(got))
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.Kind || g.VocabSize != w.VocabSize || math.Abs(g.Entropy-w.Entropy) > 1e-9 ||
			!slices.Equal(g.Doc0, w.Doc0) || !slices.Equal(g.Doc12345, w.Doc12345) {
			t.Errorf("preset %d changed:\n got %+v\nwant %+v", i, g, w)
		}
	}
}
