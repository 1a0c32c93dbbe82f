// Package model defines plateau's language models: the Llama-style
// transformer and the LSTM it is compared with (Family). For each: its
// configuration (the fields of Hugging Face's LlamaConfig, which the LSTM
// shares where they mean the same), the ladder of named presets that sweeps
// walk, parameter and FLOP counts, parameter shapes and initialisation, the
// fused ops, and the gorgonia graph built from them.
package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// Config is a model's shape. For the transformer it has the JSON keys of
// Hugging Face's LlamaConfig, so that a config.json written by transformers
// loads here and the other way round; an LSTM (Family LSTM) uses the keys
// that mean the same for it (vocab_size, hidden_size, num_hidden_layers,
// rms_norm_eps, max_position_embeddings, tie_word_embeddings) and leaves the
// attention and MLP fields zero.
type Config struct {
	VocabSize             int     `json:"vocab_size"`
	HiddenSize            int     `json:"hidden_size"`
	IntermediateSize      int     `json:"intermediate_size"`
	NumHiddenLayers       int     `json:"num_hidden_layers"`
	NumAttentionHeads     int     `json:"num_attention_heads"`
	NumKeyValueHeads      int     `json:"num_key_value_heads"`
	RMSNormEps            float64 `json:"rms_norm_eps"`
	RopeTheta             float64 `json:"rope_theta"`
	MaxPositionEmbeddings int     `json:"max_position_embeddings"`
	TieWordEmbeddings     bool    `json:"tie_word_embeddings"`
	// Family is the architecture; config.json names it in model_type
	// ("llama" or "plateau_lstm").
	Family Family `json:"-"`
	// NoFinalNorm leaves out the RMSNorm before the output head. Only an
	// LSTM may (config.json "final_norm": false); a transformer always has
	// it.
	NoFinalNorm bool `json:"-"`
}

// HeadDim is the width of one attention head (0 for a model without
// attention).
func (c Config) HeadDim() int {
	if c.NumAttentionHeads <= 0 {
		return 0
	}
	return c.HiddenSize / c.NumAttentionHeads
}

// KVDim is the width of the key and value projections (GQA: fewer heads).
func (c Config) KVDim() int { return c.NumKeyValueHeads * c.HeadDim() }

// Validate reports the first field that does not describe a buildable model,
// naming it and saying what was expected.
func (c Config) Validate() error {
	switch c.Family {
	case Transformer:
		return c.validateTransformer()
	case LSTM:
		return c.validateLSTM()
	}
	return fmt.Errorf("unknown model family %v", c.Family)
}

// validateTransformer is Validate for the Llama transformer.
func (c Config) validateTransformer() error {
	if c.NoFinalNorm {
		return errors.New("field \"final_norm\": a transformer always has its final norm")
	}
	if err := positiveFields([]intField{
		{"vocab_size", c.VocabSize},
		{"hidden_size", c.HiddenSize},
		{"intermediate_size", c.IntermediateSize},
		{"num_hidden_layers", c.NumHiddenLayers},
		{"num_attention_heads", c.NumAttentionHeads},
		{"num_key_value_heads", c.NumKeyValueHeads},
		{"max_position_embeddings", c.MaxPositionEmbeddings},
	}); err != nil {
		return err
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("field \"hidden_size\": %d is not a multiple of num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads)
	}
	if c.HeadDim()%2 != 0 {
		return fmt.Errorf("field \"hidden_size\": head dim %d (hidden_size/num_attention_heads) must be even for RoPE", c.HeadDim())
	}
	if c.NumAttentionHeads%c.NumKeyValueHeads != 0 {
		return fmt.Errorf("field \"num_key_value_heads\": %d does not divide num_attention_heads %d", c.NumKeyValueHeads, c.NumAttentionHeads)
	}
	if !(c.RMSNormEps > 0) || math.IsInf(c.RMSNormEps, 0) {
		return fmt.Errorf("field \"rms_norm_eps\": want a positive number, got %v", c.RMSNormEps)
	}
	if !(c.RopeTheta > 0) || math.IsInf(c.RopeTheta, 0) {
		return fmt.Errorf("field \"rope_theta\": want a positive number, got %v", c.RopeTheta)
	}
	if c.VocabSize > 1<<24 {
		return fmt.Errorf("field \"vocab_size\": %d is larger than the %d ids float32 tools can index exactly", c.VocabSize, 1<<24)
	}
	return nil
}

// intField is a config.json integer field, by its key.
type intField struct {
	name string
	v    int
}

// positiveFields reports the first field that is not a positive integer.
func positiveFields(fields []intField) error {
	for _, f := range fields {
		if f.v <= 0 {
			return fmt.Errorf("field %q: want a positive integer, got %d", f.name, f.v)
		}
	}
	return nil
}

// hfConfig is what config.json holds: Config plus the keys transformers needs
// to pick the class, and the optional head_dim it may write.
type hfConfig struct {
	Architectures []string `json:"architectures"`
	ModelType     string   `json:"model_type"`
	Config
	HiddenAct   string  `json:"hidden_act"`
	TorchDtype  string  `json:"torch_dtype"`
	HeadDim     *int    `json:"head_dim,omitempty"`
	InitRange   float64 `json:"initializer_range"`
	AttnBias    bool    `json:"attention_bias"`
	MLPBias     bool    `json:"mlp_bias"`
	BOSTokenID  *int    `json:"bos_token_id,omitempty"`
	EOSTokenID  *int    `json:"eos_token_id,omitempty"`
	RopeScaling any     `json:"rope_scaling"`
}

// ReadConfig parses a config.json: an LSTM's (model_type "plateau_lstm",
// see readLSTMConfig) or a Hugging Face Llama config. Fields transformers
// fills with defaults when absent get the same defaults here (GQA off, eps
// 1e-6, theta 1e4, untied); a model this package cannot run exactly (biases,
// another activation, RoPE scaling, a head_dim other than hidden/heads) is an
// error naming the field.
func ReadConfig(r io.Reader) (Config, error) {
	text, err := io.ReadAll(r)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	var kind struct {
		ModelType string `json:"model_type"`
	}
	if json.NewDecoder(bytes.NewReader(text)).Decode(&kind) == nil && kind.ModelType == lstmModelType {
		return readLSTMConfig(text)
	}
	raw := hfConfig{
		Config: Config{RMSNormEps: 1e-6, RopeTheta: 10000, MaxPositionEmbeddings: 2048},
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	if err := dec.Decode(&raw); err != nil {
		return Config{}, fmt.Errorf("parse config: %w", err)
	}
	c := raw.Config
	if c.NumKeyValueHeads == 0 {
		c.NumKeyValueHeads = c.NumAttentionHeads
	}
	switch {
	case raw.ModelType != "" && raw.ModelType != "llama":
		return Config{}, fmt.Errorf("field \"model_type\": want \"llama\" or %q, got %q", lstmModelType, raw.ModelType)
	case raw.HiddenAct != "" && raw.HiddenAct != "silu":
		return Config{}, fmt.Errorf("field \"hidden_act\": want \"silu\", got %q", raw.HiddenAct)
	case raw.AttnBias:
		return Config{}, errors.New("field \"attention_bias\": biases are not supported, want false")
	case raw.MLPBias:
		return Config{}, errors.New("field \"mlp_bias\": biases are not supported, want false")
	case raw.RopeScaling != nil:
		return Config{}, errors.New("field \"rope_scaling\": RoPE scaling is not supported, want null")
	}
	if raw.HeadDim != nil && c.NumAttentionHeads > 0 && *raw.HeadDim != c.HiddenSize/c.NumAttentionHeads {
		return Config{}, fmt.Errorf("field \"head_dim\": want hidden_size/num_attention_heads = %d, got %d", c.HiddenSize/c.NumAttentionHeads, *raw.HeadDim)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// WriteConfig writes c as a config.json: for a transformer one that
// transformers' LlamaForCausalLM.from_pretrained accepts, for an LSTM the
// keys readLSTMConfig reads.
func WriteConfig(w io.Writer, c Config) error {
	if c.Family == LSTM {
		return writeLSTMConfig(w, c)
	}
	hd := c.HeadDim()
	raw := hfConfig{
		Architectures: []string{"LlamaForCausalLM"},
		ModelType:     "llama",
		Config:        c,
		HiddenAct:     "silu",
		TorchDtype:    "float32",
		HeadDim:       &hd,
		InitRange:     InitStd,
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(raw)
}
