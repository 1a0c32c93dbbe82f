package model

import (
	"bytes"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestLSTMLadder: every LSTM preset matches its transformer rung's
// non-embedding parameter count within 3.5%, and the names map both ways.
func TestLSTMLadder(t *testing.T) {
	lstms := FamilyPresetNames(LSTM)
	if len(lstms) != len(PresetNames()) {
		t.Fatalf("%d LSTM presets for %d transformer presets", len(lstms), len(PresetNames()))
	}
	for i, name := range PresetNames() {
		tc, err := Preset(name, 1024, 256)
		if err != nil {
			t.Fatal(err)
		}
		lc, err := Preset(lstms[i], 1024, 256)
		if err != nil {
			t.Fatal(err)
		}
		if lc.Family != LSTM || tc.Family != Transformer {
			t.Errorf("%s is %v, %s is %v", name, tc.Family, lstms[i], lc.Family)
		}
		if err := lc.Validate(); err != nil {
			t.Errorf("%s: %v", lstms[i], err)
		}
		r := float64(lc.NonEmbeddingParams())/float64(tc.NonEmbeddingParams()) - 1
		if math.Abs(r) > 0.035 {
			t.Errorf("%s has %d non-embedding params, %s %d: %+.1f%%", lstms[i], lc.NonEmbeddingParams(), name, tc.NonEmbeddingParams(), 100*r)
		}
		if m, err := MatchedPreset(name, LSTM); err != nil || m != lstms[i] {
			t.Errorf("MatchedPreset(%s, lstm) = %q, %v; want %s", name, m, err, lstms[i])
		}
		if m, err := MatchedPreset(lstms[i], Transformer); err != nil || m != name {
			t.Errorf("MatchedPreset(%s, transformer) = %q, %v; want %s", lstms[i], m, err, name)
		}
		var total int64
		for _, p := range lc.ParamSpecs() {
			total += int64(p.Size())
		}
		if total != lc.Params() {
			t.Errorf("%s: ParamSpecs hold %d values, Params() says %d", lstms[i], total, lc.Params())
		}
	}
	if _, err := PresetFamily("lstm7"); err == nil || !strings.Contains(err.Error(), "lstm2m") {
		t.Errorf("unknown preset: error %v, want the list of presets", err)
	}
}

// TestLSTMCounts: N and FLOPs per token of an LSTM, by hand: two layers of
// width 10 have 4*10*(10+10) + 40 = 840 parameters each, the final norm
// 10; the head of a vocabulary of 7 adds 70 matmul weights.
func TestLSTMCounts(t *testing.T) {
	c := NewLSTMConfig(10, 2, 7, 16)
	if n := c.NonEmbeddingParams(); n != 2*840+10 {
		t.Errorf("N = %d, want %d", n, 2*840+10)
	}
	if n := c.Params(); n != 1690+2*70 {
		t.Errorf("params = %d, want %d", n, 1690+2*70)
	}
	if f := c.FLOPsPerToken(16); f != 6*(1690+70) {
		t.Errorf("FLOPs per token = %v, want %v (no attention term)", f, 6*(1690+70))
	}
	c.NoFinalNorm, c.TieWordEmbeddings = true, true
	if n := c.Params(); n != 1680+70 {
		t.Errorf("tied, no final norm: params = %d, want %d", n, 1680+70)
	}
}

// TestLSTMInit: the forget gate's bias starts at 1, the others at 0.
func TestLSTMInit(t *testing.T) {
	c := NewLSTMConfig(4, 1, 7, 16)
	specs, values := c.ParamSpecs(), c.Init(1)
	i := slices.IndexFunc(specs, func(p ParamSpec) bool { return p.Name == "model.layers.0.lstm.bias" })
	if i < 0 {
		t.Fatalf("no bias among %v", specs)
	}
	want := []float32{0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0}
	if !slices.Equal(values[i], want) {
		t.Errorf("bias %v, want %v", values[i], want)
	}
	if specs[i].Decays() {
		t.Error("the bias takes weight decay")
	}
}

func TestLSTMConfigRoundTrip(t *testing.T) {
	for _, c := range []Config{
		NewLSTMConfig(24, 2, 50, 64),
		{Family: LSTM, VocabSize: 9, HiddenSize: 3, NumHiddenLayers: 1, MaxPositionEmbeddings: 5, NoFinalNorm: true, TieWordEmbeddings: true},
	} {
		var buf bytes.Buffer
		if err := WriteConfig(&buf, c); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), `"model_type": "plateau_lstm"`) {
			t.Errorf("config.json does not name the family:\n%s", buf.String())
		}
		got, err := ReadConfig(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if got != c {
			t.Errorf("round trip: got %+v, want %+v", got, c)
		}
	}
	dir := filepath.Join(t.TempDir(), "m")
	c := NewLSTMConfig(8, 2, 20, 32)
	values := c.Init(2)
	if err := SaveFolder(dir, c, values, nil); err != nil {
		t.Fatal(err)
	}
	got, gotValues, err := LoadFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got != c {
		t.Errorf("folder: config %+v, want %+v", got, c)
	}
	for i := range values {
		if !slices.Equal(values[i], gotValues[i]) {
			t.Errorf("folder: tensor %s differs", c.ParamSpecs()[i].Name)
		}
	}
}

func TestLSTMConfigErrors(t *testing.T) {
	good := `{"model_type": "plateau_lstm", "vocab_size": 64, "hidden_size": 32, "num_hidden_layers": 2, "max_position_embeddings": 48}`
	if _, err := ReadConfig(strings.NewReader(good)); err != nil {
		t.Fatalf("good config: %v", err)
	}
	cases := []struct{ name, json, want string }{
		{"no layers", strings.Replace(good, `"num_hidden_layers": 2`, `"num_hidden_layers": 0`, 1), `"num_hidden_layers"`},
		{"heads", strings.Replace(good, `{`, `{"num_attention_heads": 4,`, 1), `"num_attention_heads"`},
		{"gate order", strings.Replace(good, `{`, `{"gate_order": "iofg",`, 1), `"gate_order"`},
		{"eps", strings.Replace(good, `{`, `{"rms_norm_eps": 0,`, 1), `"rms_norm_eps"`},
	}
	for _, c := range cases {
		_, err := ReadConfig(strings.NewReader(c.json))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %s", c.name, err, c.want)
		}
	}
	if err := (Config{Family: LSTM, VocabSize: 5, HiddenSize: 4, NumHiddenLayers: 1, MaxPositionEmbeddings: 8,
		RMSNormEps: 1e-5, RopeTheta: 1e4}).Validate(); err == nil || !strings.Contains(err.Error(), "rope_theta") {
		t.Errorf("an LSTM with a RoPE theta: error %v", err)
	}
	tr := NewConfig(Shape{32, 2, 4, 2}, 50, 64)
	tr.NoFinalNorm = true
	if err := tr.Validate(); err == nil || !strings.Contains(err.Error(), "final_norm") {
		t.Errorf("a transformer without its final norm: error %v", err)
	}
}

func TestBuildLSTMGrads(t *testing.T) {
	for _, tied := range []bool{false, true} {
		c := NewLSTMConfig(16, 3, 40, 16)
		c.TieWordEmbeddings = tied
		g, err := Build(c, 2, 7, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Grads) != len(g.Params) {
			t.Fatalf("tied=%v: %d grads for %d params", tied, len(g.Grads), len(g.Params))
		}
		for i, gr := range g.Grads {
			if !gr.Shape().Eq(g.Params[i].Shape()) {
				t.Errorf("tied=%v: grad of %s has shape %v, want %v", tied, g.Specs[i].Name, gr.Shape(), g.Params[i].Shape())
			}
		}
	}
	if _, err := Build(NewLSTMConfig(16, 1, 40, 16), 2, 17, false); err == nil {
		t.Error("a window longer than max_position_embeddings builds")
	}
}
