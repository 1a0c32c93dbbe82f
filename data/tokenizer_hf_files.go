package data

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
)

// Files of a Hugging Face model folder that describe its tokenizer: the
// tokenizer itself, the settings AutoTokenizer reads first (which class,
// which special tokens, the longest input), the special tokens again in
// the older layout, and the ids generate() starts and stops with.
const (
	TokenizerJSONFile    = "tokenizer.json"
	TokenizerConfigFile  = "tokenizer_config.json"
	SpecialTokensMapFile = "special_tokens_map.json"
	GenerationConfigFile = "generation_config.json"
)

// hfSpecial is an added token as tokenizer_config.json and
// special_tokens_map.json spell it.
type hfSpecial struct {
	Content    string `json:"content"`
	LStrip     bool   `json:"lstrip"`
	Normalized bool   `json:"normalized"`
	RStrip     bool   `json:"rstrip"`
	SingleWord bool   `json:"single_word"`
	Special    bool   `json:"special,omitempty"`
}

// hfTokenizerConfig is tokenizer_config.json.
type hfTokenizerConfig struct {
	Class        string               `json:"tokenizer_class"`
	BOS          string               `json:"bos_token"`
	EOS          string               `json:"eos_token"`
	UNK          string               `json:"unk_token"`
	PAD          *string              `json:"pad_token"`
	AddBOS       bool                 `json:"add_bos_token"`
	AddEOS       bool                 `json:"add_eos_token"`
	AddPrefix    *bool                `json:"add_prefix_space,omitempty"`
	Legacy       *bool                `json:"legacy,omitempty"`
	CleanSpaces  bool                 `json:"clean_up_tokenization_spaces"`
	MaxLength    int                  `json:"model_max_length"`
	AddedDecoder map[string]hfSpecial `json:"added_tokens_decoder"`
}

// hfGenerationConfig is generation_config.json.
type hfGenerationConfig struct {
	BOS int32 `json:"bos_token_id"`
	EOS int32 `json:"eos_token_id"`
}

// WriteHFFiles writes t into the model folder dir as the Hugging Face
// loaders (transformers' and transformers.js's AutoTokenizer, generate())
// read it: tokenizer.json, tokenizer_config.json (the class, GPT2Tokenizer
// for byte-level and LlamaTokenizer for sentencepiece-style; the special
// tokens; whether a begin token is added; clean_up_tokenization_spaces
// false so that decoding gives the text back; model_max_length, the
// model's context), special_tokens_map.json and generation_config.json
// (begin and end ids; a byte-level tokenizer has only "<|endoftext|>", which
// serves as both, as in GPT-2). Each file goes through write, which has
// the signature of model.FolderWriter.WriteFile.
func (t *Tokenizer) WriteHFFiles(dir string, maxLen int, write func(path string, fn func(io.Writer) error) error) error {
	if maxLen <= 0 {
		return fmt.Errorf("write tokenizer files: model_max_length %d, want a positive context length", maxLen)
	}
	cfg := hfTokenizerConfig{CleanSpaces: false, MaxLength: maxLen, AddedDecoder: map[string]hfSpecial{}}
	for _, s := range t.Specials() {
		cfg.AddedDecoder[strconv.Itoa(int(s.ID))] = hfSpecial{Content: s.Content, Special: true}
	}
	gen := hfGenerationConfig{BOS: t.eot, EOS: t.eot}
	if t.sp == nil {
		no := false
		cfg.Class, cfg.BOS, cfg.EOS, cfg.UNK, cfg.AddPrefix = "GPT2Tokenizer", EndOfText, EndOfText, EndOfText, &no
	} else {
		yes := true
		cfg.Class, cfg.BOS, cfg.EOS, cfg.UNK, cfg.AddBOS, cfg.Legacy = "LlamaTokenizer", BeginToken, EndToken, UnknownToken, true, &yes
		gen.BOS = t.sp.bos
	}
	special := func(s string) hfSpecial { return hfSpecial{Content: s} }
	specialMap := map[string]hfSpecial{"bos_token": special(cfg.BOS), "eos_token": special(cfg.EOS), "unk_token": special(cfg.UNK)}
	files := []struct {
		name string
		v    any
	}{{TokenizerConfigFile, cfg}, {SpecialTokensMapFile, specialMap}, {GenerationConfigFile, gen}}
	if err := write(filepath.Join(dir, TokenizerJSONFile), t.WriteJSON); err != nil {
		return err
	}
	for _, f := range files {
		err := write(filepath.Join(dir, f.name), func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			return enc.Encode(f.v)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
