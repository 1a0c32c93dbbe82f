package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// lstmModelType is the model_type of an LSTM's config.json. It is plateau's
// own: transformers has no such class, so the folder loads here only.
const lstmModelType = "plateau_lstm"

// lstmConfigJSON is an LSTM's config.json: the keys a Llama config shares
// with it, and final_norm.
type lstmConfigJSON struct {
	Architectures         []string `json:"architectures"`
	ModelType             string   `json:"model_type"`
	VocabSize             int      `json:"vocab_size"`
	HiddenSize            int      `json:"hidden_size"`
	NumHiddenLayers       int      `json:"num_hidden_layers"`
	RMSNormEps            float64  `json:"rms_norm_eps"`
	FinalNorm             *bool    `json:"final_norm"`
	MaxPositionEmbeddings int      `json:"max_position_embeddings"`
	TieWordEmbeddings     bool     `json:"tie_word_embeddings"`
	// GateOrder documents the layout of the stacked gate weights: the
	// input, forget, cell and output gates, PyTorch's order.
	GateOrder  string `json:"gate_order"`
	TorchDtype string `json:"torch_dtype,omitempty"`
}

// lstmGateOrder is the only gate layout plateau writes and reads.
const lstmGateOrder = "ifgo"

// readLSTMConfig parses an LSTM's config.json. Absent fields default to an
// RMSNorm eps of 1e-5, a final norm, a context of 2048 and untied
// embeddings; an unknown key is an error, so a misspelt one is not
// silently ignored.
func readLSTMConfig(text []byte) (Config, error) {
	raw := lstmConfigJSON{RMSNormEps: 1e-5, MaxPositionEmbeddings: 2048, GateOrder: lstmGateOrder}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return Config{}, fmt.Errorf("parse config: %w", err)
	}
	if raw.GateOrder != lstmGateOrder {
		return Config{}, fmt.Errorf("field \"gate_order\": want %q (input, forget, cell, output), got %q", lstmGateOrder, raw.GateOrder)
	}
	c := Config{
		Family:                LSTM,
		VocabSize:             raw.VocabSize,
		HiddenSize:            raw.HiddenSize,
		NumHiddenLayers:       raw.NumHiddenLayers,
		RMSNormEps:            raw.RMSNormEps,
		MaxPositionEmbeddings: raw.MaxPositionEmbeddings,
		TieWordEmbeddings:     raw.TieWordEmbeddings,
		NoFinalNorm:           raw.FinalNorm != nil && !*raw.FinalNorm,
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// writeLSTMConfig writes an LSTM's config.json.
func writeLSTMConfig(w io.Writer, c Config) error {
	final := !c.NoFinalNorm
	raw := lstmConfigJSON{
		Architectures:         []string{"PlateauLSTMForCausalLM"},
		ModelType:             lstmModelType,
		VocabSize:             c.VocabSize,
		HiddenSize:            c.HiddenSize,
		NumHiddenLayers:       c.NumHiddenLayers,
		RMSNormEps:            c.RMSNormEps,
		FinalNorm:             &final,
		MaxPositionEmbeddings: c.MaxPositionEmbeddings,
		TieWordEmbeddings:     c.TieWordEmbeddings,
		GateOrder:             lstmGateOrder,
		TorchDtype:            "float32",
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(raw)
}

// validateLSTM is Validate for an LSTM: positive sizes, a positive eps when
// there is a final norm, and none of the transformer's fields set.
func (c Config) validateLSTM() error {
	if err := positiveFields([]intField{
		{"vocab_size", c.VocabSize},
		{"hidden_size", c.HiddenSize},
		{"num_hidden_layers", c.NumHiddenLayers},
		{"max_position_embeddings", c.MaxPositionEmbeddings},
	}); err != nil {
		return err
	}
	unused := []struct {
		name string
		v    float64
	}{
		{"intermediate_size", float64(c.IntermediateSize)},
		{"num_attention_heads", float64(c.NumAttentionHeads)},
		{"num_key_value_heads", float64(c.NumKeyValueHeads)},
		{"rope_theta", c.RopeTheta},
	}
	for _, f := range unused {
		if f.v != 0 {
			return fmt.Errorf("field %q: an LSTM has none, want 0, got %v", f.name, f.v)
		}
	}
	if !c.NoFinalNorm && (!(c.RMSNormEps > 0) || math.IsInf(c.RMSNormEps, 0)) {
		return fmt.Errorf("field \"rms_norm_eps\": want a positive number for the final norm, got %v", c.RMSNormEps)
	}
	if c.NoFinalNorm && (c.RMSNormEps < 0 || math.IsNaN(c.RMSNormEps) || math.IsInf(c.RMSNormEps, 0)) {
		return fmt.Errorf("field \"rms_norm_eps\": want a finite number >= 0, got %v", c.RMSNormEps)
	}
	if c.VocabSize > 1<<24 {
		return fmt.Errorf("field \"vocab_size\": %d is larger than the %d ids float32 tools can index exactly", c.VocabSize, 1<<24)
	}
	if c.HiddenSize > 1<<15 {
		return errors.New("field \"hidden_size\": an LSTM wider than 32768 is not supported")
	}
	return nil
}
