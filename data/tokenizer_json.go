package data

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
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
func (t *Tokenizer) WriteJSON(w io.Writer) error {
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

// isNull reports whether a JSON value is absent or null.
func isNull(m json.RawMessage) bool {
	return len(m) == 0 || string(bytes.TrimSpace(m)) == "null"
}

// ReadTokenizerJSON reads a Hugging Face tokenizer.json holding a byte-level
// BPE model with GPT-2 pre-tokenization, such as one written by WriteJSON or
// GPT-2's own file, and keeps the file's ids. It rejects, with an error
// naming the offending field, files whose encoding would differ from
// Encode's: a missing or non-BPE model, a normalizer, a pre-tokenizer other
// than ByteLevel without prefix space, ignore_merges, tokens not in
// byte-level form, ids that are duplicated or not 0..n-1, merges of unknown
// tokens, a missing "<|endoftext|>" added token, or other added tokens.
func ReadTokenizerJSON(r io.Reader) (*Tokenizer, error) {
	t, err := readTokenizerJSON(r)
	if err != nil {
		return nil, fmt.Errorf("read tokenizer.json: %w", err)
	}
	return t, nil
}

func readTokenizerJSON(r io.Reader) (*Tokenizer, error) {
	dec := json.NewDecoder(r)
	var f hfFile
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the top-level object")
	}
	if err := checkPipeline(&f); err != nil {
		return nil, err
	}
	if isNull(f.Model) {
		return nil, errors.New("missing model")
	}
	var m hfModel
	if err := json.Unmarshal(f.Model, &m); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if err := checkModel(&m); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	eot, err := findEOT(f.AddedTokens)
	if err != nil {
		return nil, fmt.Errorf("added_tokens: %w", err)
	}
	tokens, ids, err := readVocab(m.Vocab, eot)
	if err != nil {
		return nil, fmt.Errorf("model.vocab: %w", err)
	}
	merges := make([]mergeRule, len(m.Merges))
	for i, raw := range m.Merges {
		left, right, err := parseMerge(raw)
		if err != nil {
			return nil, fmt.Errorf("model.merges[%d]: %w", i, err)
		}
		rule := mergeRule{}
		for _, p := range [...]struct {
			dst *int32
			tok string
		}{{&rule.left, left}, {&rule.right, right}, {&rule.result, left + right}} {
			id, ok := ids[p.tok]
			if !ok {
				return nil, fmt.Errorf("model.merges[%d]: token %q not in vocab", i, p.tok)
			}
			*p.dst = id
		}
		merges[i] = rule
	}
	t, err := newTokenizer(tokens, merges, eot)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return t, nil
}

// checkPipeline rejects normalizers, pre-tokenizers, decoders and
// post-processors that would change how text is split or decoded.
func checkPipeline(f *hfFile) error {
	if !isNull(f.Normalizer) {
		return errors.New("normalizer: want null")
	}
	if isNull(f.PreTokenizer) {
		return errors.New("pre_tokenizer: missing, want ByteLevel")
	}
	var pre hfByteLevel
	if err := json.Unmarshal(f.PreTokenizer, &pre); err != nil {
		return fmt.Errorf("pre_tokenizer: %w", err)
	}
	if pre.Type != "ByteLevel" || pre.AddPrefixSpace || (pre.UseRegex != nil && !*pre.UseRegex) {
		return fmt.Errorf("pre_tokenizer: got type %q add_prefix_space %v, want ByteLevel with add_prefix_space false and use_regex true", pre.Type, pre.AddPrefixSpace)
	}
	for _, c := range [...]struct {
		field string
		raw   json.RawMessage
	}{{"decoder", f.Decoder}, {"post_processor", f.PostProcessor}} {
		if isNull(c.raw) {
			continue
		}
		var bl hfByteLevel
		if err := json.Unmarshal(c.raw, &bl); err != nil {
			return fmt.Errorf("%s: %w", c.field, err)
		}
		if bl.Type != "ByteLevel" {
			return fmt.Errorf("%s: got type %q, want null or ByteLevel", c.field, bl.Type)
		}
	}
	return nil
}

// checkModel rejects BPE options that change encoding.
func checkModel(m *hfModel) error {
	switch {
	case m.Type != "BPE":
		return fmt.Errorf("type %q, want BPE", m.Type)
	case m.Dropout != nil && *m.Dropout != 0:
		return fmt.Errorf("dropout %v, want null", *m.Dropout)
	case m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "":
		return fmt.Errorf("continuing_subword_prefix %q, want null", *m.ContinuingSubwordPrefix)
	case m.EndOfWordSuffix != nil && *m.EndOfWordSuffix != "":
		return fmt.Errorf("end_of_word_suffix %q, want null", *m.EndOfWordSuffix)
	case m.IgnoreMerges:
		return errors.New("ignore_merges true, want false")
	}
	return nil
}

// findEOT returns the id of the "<|endoftext|>" added token, the only added
// token supported.
func findEOT(added []hfAddedToken) (int32, error) {
	eot := int64(-1)
	for _, a := range added {
		if a.Content != EndOfText {
			return 0, fmt.Errorf("unsupported added token %q (only %q is supported)", a.Content, EndOfText)
		}
		if eot >= 0 {
			return 0, fmt.Errorf("%q listed twice", EndOfText)
		}
		if a.ID < 0 || a.ID > math.MaxInt32 {
			return 0, fmt.Errorf("%q has id %d outside [0, %d]", EndOfText, a.ID, math.MaxInt32)
		}
		eot = a.ID
	}
	if eot < 0 {
		return 0, fmt.Errorf("no %q token", EndOfText)
	}
	return int32(eot), nil
}

// readVocab builds the id -> bytes table from the vocab entries. The ids must
// be exactly 0..n-1; the end-of-text token may be listed in the vocab or
// take the id after the last entry.
func readVocab(vocab hfVocab, eot int32) ([][]byte, map[string]int32, error) {
	n := len(vocab)
	listed := false
	for _, e := range vocab {
		if e.token == EndOfText {
			if e.id != int64(eot) {
				return nil, nil, fmt.Errorf("%q has id %d, but added_tokens gives %d", EndOfText, e.id, eot)
			}
			listed = true
		}
	}
	if !listed {
		if int(eot) != n {
			return nil, nil, fmt.Errorf("%q id %d is neither in vocab nor next after its %d entries", EndOfText, eot, n)
		}
		n++
	}
	tokens := make([][]byte, n)
	tokens[eot] = []byte(EndOfText)
	ids := make(map[string]int32, n)
	for _, e := range vocab {
		if e.id >= int64(n) {
			return nil, nil, fmt.Errorf("token %q has id %d; ids of %d tokens must be 0..%d", e.token, e.id, n, n-1)
		}
		if e.token == EndOfText {
			continue
		}
		if tokens[e.id] != nil {
			return nil, nil, fmt.Errorf("tokens %q and %q share id %d", e.token, gpt2ByteLevel.encode(tokens[e.id]), e.id)
		}
		b, ok := gpt2ByteLevel.decode(e.token)
		if !ok || len(b) == 0 {
			return nil, nil, fmt.Errorf("token %q (id %d) is not in GPT-2 byte-level form", e.token, e.id)
		}
		tokens[e.id] = b
		ids[e.token] = int32(e.id)
	}
	return tokens, ids, nil
}

// parseMerge reads a merge in either of the library's forms: "left right" or
// ["left", "right"].
func parseMerge(raw json.RawMessage) (left, right string, err error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		parts := strings.Split(s, " ")
		if len(parts) != 2 {
			return "", "", fmt.Errorf("merge %q: want two tokens separated by one space", s)
		}
		return parts[0], parts[1], nil
	}
	var pair []string
	if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 {
		return "", "", fmt.Errorf("merge %s: want \"left right\" or [\"left\", \"right\"]", raw)
	}
	return pair[0], pair[1], nil
}
