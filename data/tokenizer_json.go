package data

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"unicode/utf8"
)

// The tokenizer.json layout of the Hugging Face tokenizers library, limited
// to what a byte-level BPE tokenizer with GPT-2 pre-tokenization uses.
type hfFile struct {
	Version       string          `json:"version"`
	Truncation    json.RawMessage `json:"truncation"`
	Padding       json.RawMessage `json:"padding"`
	AddedTokens   []hfAddedToken  `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Decoder       json.RawMessage `json:"decoder"`
	Model         json.RawMessage `json:"model"`
}

type hfAddedToken struct {
	ID         int64  `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

// hfByteLevel is the ByteLevel pre-tokenizer, decoder or post-processor.
// UseRegex is a pointer because the library defaults it to true.
type hfByteLevel struct {
	Type           string `json:"type"`
	AddPrefixSpace bool   `json:"add_prefix_space"`
	TrimOffsets    bool   `json:"trim_offsets"`
	UseRegex       *bool  `json:"use_regex"`
}

type hfModel struct {
	Type                    string            `json:"type"`
	Dropout                 *float64          `json:"dropout"`
	UnkToken                *string           `json:"unk_token"`
	ContinuingSubwordPrefix *string           `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string           `json:"end_of_word_suffix"`
	FuseUnk                 bool              `json:"fuse_unk"`
	ByteFallback            bool              `json:"byte_fallback"`
	IgnoreMerges            bool              `json:"ignore_merges,omitempty"`
	Vocab                   hfVocab           `json:"vocab"`
	Merges                  []json.RawMessage `json:"merges"`
}

// hfVocab is the model's token -> id object, kept in file order so that it
// is written sorted by id and so that duplicate keys can be detected.
type hfVocab []hfVocabEntry

type hfVocabEntry struct {
	token string
	id    int64
}

// MarshalJSON writes the vocabulary as an object in slice order.
func (v hfVocab) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		appendJSONString(&b, e.token)
		fmt.Fprintf(&b, ":%d", e.id)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a token -> id object, rejecting duplicate tokens and
// ids that are not integers in [0, MaxInt32].
func (v *hfVocab) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("vocab: want an object of token to id")
	}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("vocab: %w", err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return fmt.Errorf("vocab: duplicate token %q", key)
		}
		seen[key] = true
		tok, err = dec.Token()
		if err != nil {
			return fmt.Errorf("vocab: token %q: %w", key, err)
		}
		num, ok := tok.(json.Number)
		id, err := num.Int64()
		if !ok || err != nil || id < 0 || id > math.MaxInt32 {
			return fmt.Errorf("vocab: token %q: id %v is not an integer in [0, %d]", key, tok, math.MaxInt32)
		}
		*v = append(*v, hfVocabEntry{token: key, id: id})
	}
	return nil
}

// appendJSONString writes s as a JSON string without HTML escaping, so that
// tokens such as "<|endoftext|>" stay readable.
func appendJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == utf8.RuneError:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// WriteJSON writes t as a Hugging Face tokenizer.json: a "BPE" model whose
// vocab and merges use GPT-2's byte-to-unicode token strings, a ByteLevel
// pre-tokenizer (add_prefix_space false, use_regex true) and decoder, no
// normalizer or post-processor, and "<|endoftext|>" as a special added token.
// The Python tokenizers library encodes text with such a file exactly as
// Encode does, except that it maps a literal "<|endoftext|>" in the text to
// the special token.
//
// A sentencepiece-style tokenizer is written in the form of Hugging Face's
// Llama tokenizers instead (see writeSentencePieceJSON).
func (t *Tokenizer) WriteJSON(w io.Writer) error {
	if t.sp != nil {
		return t.writeSentencePieceJSON(w)
	}
	bl := gpt2ByteLevel
	vocab := make(hfVocab, len(t.tokens))
	for id, tok := range t.tokens {
		s := EndOfText
		if int32(id) != t.eot {
			s = bl.encode(tok)
		}
		vocab[id] = hfVocabEntry{token: s, id: int64(id)}
	}
	merges := make([]json.RawMessage, len(t.merges))
	for i, m := range t.merges {
		var b bytes.Buffer
		appendJSONString(&b, vocab[m.left].token+" "+vocab[m.right].token)
		merges[i] = b.Bytes()
	}
	yes := true
	byteLevel := func() json.RawMessage {
		b, _ := json.Marshal(hfByteLevel{Type: "ByteLevel", TrimOffsets: true, UseRegex: &yes})
		return b
	}
	model, err := marshalNoHTML(hfModel{Type: "BPE", Vocab: vocab, Merges: merges})
	if err != nil {
		return fmt.Errorf("write tokenizer.json: %w", err)
	}
	f := hfFile{
		Version: "1.0",
		AddedTokens: []hfAddedToken{{
			ID: int64(t.eot), Content: EndOfText, Special: true,
		}},
		PreTokenizer: byteLevel(),
		Decoder:      byteLevel(),
		Model:        model,
	}
	return encodeHFFile(w, f)
}

// encodeHFFile writes f indented, without escaping HTML characters.
func encodeHFFile(w io.Writer, f hfFile) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("write tokenizer.json: %w", err)
	}
	return nil
}

// marshalNoHTML is json.Marshal without escaping <, > and &.
func marshalNoHTML(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
