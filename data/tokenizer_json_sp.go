package data

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// metaspace is the character tokenizer.json writes for a space in a
// sentencepiece vocabulary.
const metaspace = "▁"

// The tokenizer.json of a sentencepiece-style tokenizer is the one Hugging
// Face's Llama tokenizers use: a normalizer that prepends "▁" and turns
// spaces into "▁", no pre-tokenizer, a BPE model with byte fallback and
// fused unknowns, a template post-processor that adds "<s>", and a decoder
// that undoes the normalizer (Replace, ByteFallback, Fuse, Strip).
var (
	spNormalizer = json.RawMessage(`{"type":"Sequence","normalizers":[` +
		`{"type":"Prepend","prepend":"▁"},{"type":"Replace","pattern":{"String":" "},"content":"▁"}]}`)
	spDecoder = json.RawMessage(`{"type":"Sequence","decoders":[` +
		`{"type":"Replace","pattern":{"String":"▁"},"content":" "},{"type":"ByteFallback"},{"type":"Fuse"},` +
		`{"type":"Strip","content":" ","start":1,"stop":0}]}`)
)

// spPostProcessor is the template that adds the begin token with id bos.
func spPostProcessor(bos int32) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"type":"TemplateProcessing",`+
		`"single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],`+
		`"pair":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},`+
		`{"SpecialToken":{"id":"<s>","type_id":1}},{"Sequence":{"id":"B","type_id":1}}],`+
		`"special_tokens":{"<s>":{"id":"<s>","ids":[%d],"tokens":["<s>"]}}}`, bos))
}

// writeSentencePieceJSON writes a sentencepiece-style t as a tokenizer.json.
// The merges are every pair of pieces that forms a piece, in the order run.c
// applies them: higher score of the merged piece first; among equal scores
// (llama's runs of spaces) the longer merged piece, then the longer left
// part, so that Hugging Face's rank order reproduces run.c's leftmost-first
// choice on those runs.
func (t *Tokenizer) writeSentencePieceJSON(w io.Writer) error {
	sp := t.sp
	names := make([]string, len(sp.pieces))
	for id, p := range sp.pieces {
		names[id] = strings.ReplaceAll(p, " ", metaspace)
	}
	names[sp.unk], names[sp.bos], names[t.eot] = UnknownToken, BeginToken, EndToken
	vocab := make(hfVocab, len(names))
	seen := make(map[string]int, len(names))
	for id, s := range names {
		if prev, dup := seen[s]; dup {
			return fmt.Errorf("write tokenizer.json: pieces %d and %d are both %q once spaces are written %q", prev, id, s, metaspace)
		}
		seen[s] = id
		vocab[id] = hfVocabEntry{token: s, id: int64(id)}
	}
	rules := slices.Clone(t.merges)
	slices.SortStableFunc(rules, func(a, b mergeRule) int {
		return cmp.Or(
			cmp.Compare(t.ranks[pairKey(a.left, a.right)].rank, t.ranks[pairKey(b.left, b.right)].rank),
			cmp.Compare(len(sp.pieces[b.result]), len(sp.pieces[a.result])),
			cmp.Compare(len(sp.pieces[b.left]), len(sp.pieces[a.left])),
			cmp.Compare(a.result, b.result), cmp.Compare(a.left, b.left))
	})
	merges := make([]json.RawMessage, len(rules))
	for i, m := range rules {
		var b bytes.Buffer
		appendJSONString(&b, names[m.left]+" "+names[m.right])
		merges[i] = b.Bytes()
	}
	unk := UnknownToken
	model, err := marshalNoHTML(hfModel{Type: "BPE", UnkToken: &unk, FuseUnk: true, ByteFallback: true, Vocab: vocab, Merges: merges})
	if err != nil {
		return fmt.Errorf("write tokenizer.json: %w", err)
	}
	var added []hfAddedToken
	for _, s := range t.Specials() {
		added = append(added, hfAddedToken{ID: int64(s.ID), Content: s.Content, Special: true})
	}
	f := hfFile{
		Version:       "1.0",
		AddedTokens:   added,
		Normalizer:    spNormalizer,
		PostProcessor: spPostProcessor(sp.bos),
		Decoder:       spDecoder,
		Model:         model,
	}
	return encodeHFFile(w, f)
}

// isSentencePieceJSON reports whether a tokenizer.json is of the
// sentencepiece kind (it has a normalizer, the byte-level kind none).
func isSentencePieceJSON(f *hfFile) bool { return !isNull(f.Normalizer) }

// readSentencePieceJSON reads a tokenizer.json of the form
// writeSentencePieceJSON writes, as Hugging Face's Llama tokenizers are:
// the normalizer must prepend "▁" and replace spaces by "▁", there must be
// no pre-tokenizer, the BPE model must use byte fallback with fused unknown
// tokens, and the added tokens must be exactly "<unk>", "<s>" and "</s>".
// The merges keep the file's order; the scores become minus that order.
func readSentencePieceJSON(f *hfFile) (*Tokenizer, error) {
	if err := checkSentencePiecePipeline(f); err != nil {
		return nil, err
	}
	var m hfModel
	if err := json.Unmarshal(f.Model, &m); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if err := checkModel(&m); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if !m.ByteFallback || !m.FuseUnk || m.UnkToken == nil || *m.UnkToken != UnknownToken {
		return nil, fmt.Errorf("model: byte_fallback %v, fuse_unk %v, unk_token %v: want true, true and %q", m.ByteFallback, m.FuseUnk, m.UnkToken, UnknownToken)
	}
	special := map[string]int32{}
	for _, a := range f.AddedTokens {
		switch a.Content {
		case UnknownToken, BeginToken, EndToken:
		default:
			return nil, fmt.Errorf("added_tokens: unsupported token %q (only %q, %q and %q)", a.Content, UnknownToken, BeginToken, EndToken)
		}
		if _, dup := special[a.Content]; dup {
			return nil, fmt.Errorf("added_tokens: %q listed twice", a.Content)
		}
		special[a.Content] = int32(a.ID)
	}
	if len(special) != 3 {
		return nil, fmt.Errorf("added_tokens: %d of %q, %q and %q, want all three", len(special), UnknownToken, BeginToken, EndToken)
	}
	n := len(m.Vocab)
	pieces := make([]string, n)
	filled := make([]bool, n)
	ids := make(map[string]int32, n)
	for _, e := range m.Vocab {
		if e.id >= int64(n) {
			return nil, fmt.Errorf("model.vocab: token %q has id %d; ids of %d tokens must be 0..%d", e.token, e.id, n, n-1)
		}
		if filled[e.id] {
			return nil, fmt.Errorf("model.vocab: tokens %q and %q share id %d", pieces[e.id], e.token, e.id)
		}
		if strings.Contains(e.token, " ") {
			return nil, fmt.Errorf("model.vocab: token %q (id %d) has a space; a sentencepiece vocabulary writes spaces %q", e.token, e.id, metaspace)
		}
		filled[e.id] = true
		pieces[e.id] = strings.ReplaceAll(e.token, metaspace, " ")
		ids[e.token] = int32(e.id)
	}
	for name, id := range special {
		if id < 0 || int(id) >= n || ids[name] != id || pieces[id] != name {
			return nil, fmt.Errorf("added_tokens: %q has id %d, which the vocab does not give it", name, id)
		}
	}
	merges, err := readMerges(m.Merges, ids)
	if err != nil {
		return nil, err
	}
	rules := make([]rankedRule, len(merges))
	scores := make([]float32, n)
	for i := len(merges) - 1; i >= 0; i-- {
		rules[i] = rankedRule{merges[i], int32(i)}
		scores[merges[i].result] = -float32(i) // the first merge making a piece sets its score
	}
	t, err := buildSentencePiece(pieces, scores, rules, special[UnknownToken], special[BeginToken], special[EndToken], true)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return t, nil
}

// checkSentencePiecePipeline rejects normalizers and pre-tokenizers other
// than the Llama ones, which would split or change the text differently.
func checkSentencePiecePipeline(f *hfFile) error {
	if !sameJSON(f.Normalizer, spNormalizer) {
		return fmt.Errorf("normalizer: want null (byte-level BPE) or %s (sentencepiece BPE)", spNormalizer)
	}
	if !isNull(f.PreTokenizer) {
		return errors.New("pre_tokenizer: want null with a sentencepiece normalizer")
	}
	return nil
}

// sameJSON reports whether two JSON values are equal once decoded.
func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return bytes.Equal(xs, ys)
}
