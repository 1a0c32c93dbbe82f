package model

import (
	"bytes"
	"strings"
	"testing"
)

func TestReadConfigErrors(t *testing.T) {
	good := `{"vocab_size": 64, "hidden_size": 32, "intermediate_size": 96, "num_hidden_layers": 2,
		"num_attention_heads": 4, "num_key_value_heads": 2, "rms_norm_eps": 1e-5, "rope_theta": 10000,
		"max_position_embeddings": 48, "tie_word_embeddings": true}`
	if _, err := ReadConfig(strings.NewReader(good)); err != nil {
		t.Fatalf("good config: %v", err)
	}
	cases := []struct {
		name, json, want string
	}{
		{"not json", `{"vocab_size": `, "parse config"},
		{"missing hidden", `{"vocab_size": 64, "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4}`, `"hidden_size"`},
		{"negative", strings.Replace(good, `"hidden_size": 32`, `"hidden_size": -3`, 1), `"hidden_size": want a positive integer, got -3`},
		{"heads do not divide", strings.Replace(good, `"num_attention_heads": 4`, `"num_attention_heads": 5`, 1), "not a multiple"},
		{"gqa", strings.Replace(good, `"num_key_value_heads": 2`, `"num_key_value_heads": 3`, 1), `"num_key_value_heads"`},
		{"eps", strings.Replace(good, `"rms_norm_eps": 1e-5`, `"rms_norm_eps": 0`, 1), `"rms_norm_eps"`},
		{"wrong type", strings.Replace(good, `"vocab_size": 64`, `"vocab_size": "big"`, 1), "vocab_size"},
		{"other model", strings.Replace(good, `{`, `{"model_type": "gpt2",`, 1), `"model_type"`},
		{"bias", strings.Replace(good, `{`, `{"attention_bias": true,`, 1), `"attention_bias"`},
		{"rope scaling", strings.Replace(good, `{`, `{"rope_scaling": {"type": "linear", "factor": 2},`, 1), `"rope_scaling"`},
		{"head dim", strings.Replace(good, `{`, `{"head_dim": 16,`, 1), `"head_dim"`},
	}
	for _, c := range cases {
		_, err := ReadConfig(strings.NewReader(c.json))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %s", c.name, err, c.want)
		}
	}
}

func TestConfigRoundTrip(t *testing.T) {
	c := NewConfig(Shape{64, 3, 8, 2}, 300, 128)
	var buf bytes.Buffer
	if err := WriteConfig(&buf, c); err != nil {
		t.Fatal(err)
	}
	got, err := ReadConfig(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got != c {
		t.Errorf("round trip: got %+v, want %+v", got, c)
	}
}

func TestPresetLadder(t *testing.T) {
	var prev int64
	for _, name := range PresetNames() {
		c, err := Preset(name, 8192, 1024)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		n := c.NonEmbeddingParams()
		if hd := c.HeadDim(); hd < 32 || hd > 64 {
			t.Errorf("%s: head dim %d outside 32..64", name, hd)
		}
		if c.IntermediateSize%64 != 0 {
			t.Errorf("%s: SwiGLU width %d not a multiple of 64", name, c.IntermediateSize)
		}
		if prev > 0 {
			if r := float64(n) / float64(prev); r < 1.5 || r > 3.2 {
				t.Errorf("%s: %d non-embedding params, %.2fx the previous rung", name, n, r)
			}
		}
		prev = n
		var total int64
		for _, p := range c.ParamSpecs() {
			total += int64(p.Size())
		}
		if total != c.Params() {
			t.Errorf("%s: ParamSpecs hold %d values, Params() says %d", name, total, c.Params())
		}
	}
	first, _ := Preset(PresetNames()[0], 8192, 1024)
	last, _ := Preset(PresetNames()[len(PresetNames())-1], 8192, 1024)
	if n := first.NonEmbeddingParams(); n < 80_000 || n > 150_000 {
		t.Errorf("smallest preset has %d non-embedding params, want about 0.1M", n)
	}
	if n := last.NonEmbeddingParams(); n < 100_000_000 || n > 160_000_000 {
		t.Errorf("largest preset has %d non-embedding params, want about 150M", n)
	}
	if _, err := Preset("n7", 100, 10); err == nil || !strings.Contains(err.Error(), "n800k") {
		t.Errorf("unknown preset: error %v, want the list of presets", err)
	}
}

// TestCounts checks the counts against the two CPU benchmark shapes: the
// PyTorch reference's 0.56M and 5.3M parameter models.
func TestCounts(t *testing.T) {
	cases := []struct {
		s       Shape
		vocab   int
		want    int64
		flopsT  int
		wantMFL float64
	}{
		{Shape{128, 2, 4, 4}, 512, 557_696, 128, 6*(557_696-512*128) + 6*2*128*128},
		{Shape{256, 4, 4, 4}, 4096, 5_310_720, 256, 6*(5_310_720-4096*256) + 6*4*256*256},
	}
	for _, c := range cases {
		cfg := NewConfig(c.s, c.vocab, 1024)
		if got := cfg.Params(); got != c.want {
			t.Errorf("%+v: %d params, want %d", c.s, got, c.want)
		}
		if got := cfg.FLOPsPerToken(c.flopsT); got != c.wantMFL {
			t.Errorf("%+v: %v FLOPs/token, want %v", c.s, got, c.wantMFL)
		}
	}
}
