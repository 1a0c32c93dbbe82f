package model

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadConfig checks that no config.json makes ReadConfig panic, that a
// config it accepts is valid and survives WriteConfig and ReadConfig
// unchanged, and that its parameter and FLOP counts can be taken.
func FuzzReadConfig(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "config.json"))
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	var written bytes.Buffer
	if err := WriteConfig(&written, NewConfig(Shape{Hidden: 64, Layers: 2, Heads: 4, KVHeads: 2}, 300, 256)); err != nil {
		f.Fatal(err)
	}
	f.Add(written.Bytes())
	written.Reset()
	if err := WriteConfig(&written, NewLSTMConfig(32, 2, 300, 256)); err != nil {
		f.Fatal(err)
	}
	f.Add(written.Bytes())
	for _, s := range []string{
		`{"vocab_size": 64, "hidden_size": 32, "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4}`,
		`{"vocab_size": 64, "hidden_size": 32, "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "head_dim": 8, "rope_scaling": null}`,
		`{"vocab_size": 1e3, "hidden_size": -1}`,
		`{"model_type": "gpt2"}`,
		`[]`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := ReadConfig(bytes.NewReader(raw))
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("ReadConfig accepted an invalid config: %v", err)
		}
		_, _ = c.Params(), c.FLOPsPerToken(1)
		var buf bytes.Buffer
		if err := WriteConfig(&buf, c); err != nil {
			t.Fatalf("WriteConfig of an accepted config: %v", err)
		}
		back, err := ReadConfig(&buf)
		if err != nil {
			t.Fatalf("ReadConfig of WriteConfig's output: %v\n%s", err, buf.Bytes())
		}
		if back != c {
			t.Fatalf("config changed in a round trip: %+v, then %+v", c, back)
		}
	})
}
