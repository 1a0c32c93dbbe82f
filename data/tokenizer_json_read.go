package data

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// isNull reports whether a JSON value is absent or null.
func isNull(m json.RawMessage) bool {
	return len(m) == 0 || string(bytes.TrimSpace(m)) == "null"
}

// ReadTokenizerJSON reads a Hugging Face tokenizer.json holding a byte-level
// BPE model with GPT-2 pre-tokenization, such as one written by WriteJSON or
// GPT-2's own file, or a sentencepiece-style BPE model in the form of
// Llama's (see readSentencePieceJSON), and keeps the file's ids. It rejects, with an error
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
	if isNull(f.Model) {
		return nil, errors.New("missing model")
	}
	if isSentencePieceJSON(&f) {
		return readSentencePieceJSON(&f)
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
	merges, err := readMerges(m.Merges, ids)
	if err != nil {
		return nil, err
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
	case m.Type != "BPE" && !(m.Type == "" && m.Merges != nil):
		// Files from before the library wrote a type are accepted when they
		// have merges, as the library itself does.
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
	if int(eot) >= n {
		return nil, nil, fmt.Errorf("%q has id %d; ids of %d tokens must be 0..%d", EndOfText, eot, n, n-1)
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

// readMerges turns the model's merges into rules over the ids of the vocab
// tokens (by their tokenizer.json spelling), in file order.
func readMerges(raws []json.RawMessage, ids map[string]int32) ([]mergeRule, error) {
	merges := make([]mergeRule, len(raws))
	for i, raw := range raws {
		left, right, err := parseMerge(raw)
		if err != nil {
			return nil, fmt.Errorf("model.merges[%d]: %w", i, err)
		}
		rule := &merges[i]
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
	}
	return merges, nil
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
