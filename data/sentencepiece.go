package data

import (
	"cmp"
	"fmt"
	"slices"
	"unicode/utf8"
)

// A sentencepiece-style BPE tokenizer is the kind Llama and llama2.c use
// (llama2.c's tokenizer.bin, Llama's tokenizer.json). It differs from the
// byte-level kind in four ways:
//
//   - the text is not pre-tokenized: a space is prepended to a non-empty
//     text (the "dummy prefix") and the whole text is one sequence of
//     symbols, a space being an ordinary character (written "▁" in
//     tokenizer.json and " " in tokenizer.bin);
//   - the starting symbols are Unicode characters, each the piece spelling
//     it; a character without one is spelled by its UTF-8 bytes' fallback
//     pieces "<0x00>".."<0xFF>" (or the unknown token, if those are
//     missing);
//   - any two adjacent pieces whose concatenation is a piece merge, highest
//     score first and leftmost first among equal scores (llama2.c's
//     run.c); a tokenizer.json lists the same merges in priority order;
//   - the ids of the unknown, begin- and end-of-sequence tokens are
//     special: never the result of a merge, decoded as "<unk>", "<s>" and
//     "</s>".
//
// A Tokenizer of this kind keeps its piece strings here and, in tokens, the
// bytes each id decodes to: a fallback piece the byte it names, a special
// token its name, any other piece its text.
type sentencePiece struct {
	pieces    []string         // id -> piece text, spaces as ' '
	scores    []float32        // id -> score; merge priority
	chars     map[string]int32 // single-character pieces -> id: the starting symbols
	bos, unk  int32            // the end-of-sequence id is the Tokenizer's eot
	fromRanks bool             // scores were made from tokenizer.json's merge order
}

// Names of the special tokens of a sentencepiece-style tokenizer.
const (
	UnknownToken = "<unk>"
	BeginToken   = "<s>"
	EndToken     = "</s>"
)

// byteFallback returns the byte a fallback piece "<0xXX>" names.
func byteFallback(piece string) (byte, bool) {
	if len(piece) != 6 || piece[:3] != "<0x" || piece[5] != '>' {
		return 0, false
	}
	var v byte
	for _, c := range piece[3:5] {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | byte(c-'0')
		case c >= 'A' && c <= 'F':
			v = v<<4 | byte(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// newSentencePiece builds a sentencepiece-style tokenizer from its pieces
// (spaces as ' ', the special ids' texts ignored) and their scores, with
// the special ids unk, bos and eos. The merges are every split of a piece
// into two pieces, ranked by the merged piece's score (equal scores share
// a rank, so that the leftmost of them merges first, as in run.c).
func newSentencePiece(pieces []string, scores []float32, unk, bos, eos int32) (*Tokenizer, error) {
	n := int32(len(pieces))
	if len(scores) != len(pieces) {
		return nil, fmt.Errorf("%d scores for %d pieces", len(scores), len(pieces))
	}
	for _, s := range [...]struct {
		name string
		id   int32
	}{{"unknown", unk}, {"begin-of-sequence", bos}, {"end-of-sequence", eos}} {
		if s.id < 0 || s.id >= n {
			return nil, fmt.Errorf("%s id %d outside the vocabulary of %d pieces", s.name, s.id, n)
		}
	}
	if unk == bos || unk == eos || bos == eos {
		return nil, fmt.Errorf("special ids unk %d, bos %d and eos %d must differ", unk, bos, eos)
	}
	special := func(id int32) bool { return id == unk || id == bos || id == eos }
	byID := make(map[string]int32, n)
	for id, p := range pieces {
		if special(int32(id)) {
			continue
		}
		if p == "" {
			return nil, fmt.Errorf("piece %d is empty", id)
		}
		if prev, dup := byID[p]; dup {
			return nil, fmt.Errorf("pieces %d and %d are both %q", prev, id, p)
		}
		byID[p] = int32(id)
	}
	// Dense ranks of the scores, highest first.
	order := make([]int32, 0, n)
	for id := range n {
		if !special(id) {
			order = append(order, id)
		}
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(scores[b], scores[a]) })
	rank := make([]int32, n)
	for i, id := range order {
		rank[id] = int32(i)
		if i > 0 && scores[id] == scores[order[i-1]] {
			rank[id] = rank[order[i-1]]
		}
	}
	var rules []rankedRule
	for id, p := range pieces {
		if special(int32(id)) {
			continue
		}
		for cut := 1; cut < len(p); cut++ {
			l, okL := byID[p[:cut]]
			r, okR := byID[p[cut:]]
			if okL && okR {
				rules = append(rules, rankedRule{mergeRule{l, r, int32(id)}, rank[id]})
			}
		}
	}
	slices.SortStableFunc(rules, func(a, b rankedRule) int { return cmp.Compare(a.rank, b.rank) })
	return buildSentencePiece(pieces, scores, rules, unk, bos, eos, false)
}

// rankedRule is a merge rule with its priority (lower first).
type rankedRule struct {
	mergeRule
	rank int32
}

// buildSentencePiece indexes pieces and merge rules (in rank order) into a
// Tokenizer; fromRanks says the scores stand in for a merge order.
func buildSentencePiece(pieces []string, scores []float32, rules []rankedRule, unk, bos, eos int32, fromRanks bool) (*Tokenizer, error) {
	n := int32(len(pieces))
	sp := &sentencePiece{pieces: pieces, scores: scores, chars: map[string]int32{}, bos: bos, unk: unk, fromRanks: fromRanks}
	t := &Tokenizer{tokens: make([][]byte, n), eot: eos, sp: sp, ranks: make(map[uint64]ranked, len(rules))}
	for i := range t.byteID {
		t.byteID[i] = unk
	}
	for id, p := range pieces {
		switch int32(id) {
		case unk:
			t.tokens[id] = []byte(UnknownToken)
			continue
		case bos:
			t.tokens[id] = []byte(BeginToken)
			continue
		case eos:
			t.tokens[id] = []byte(EndToken)
			continue
		}
		t.tokens[id] = []byte(p)
		if b, ok := byteFallback(p); ok {
			t.byteID[b] = int32(id)
			t.tokens[id] = []byte{b}
		}
		if r, size := utf8.DecodeRuneInString(p); size == len(p) && r != utf8.RuneError {
			sp.chars[p] = int32(id)
		}
	}
	for i, rule := range rules {
		for _, id := range [...]int32{rule.left, rule.right, rule.result} {
			if id < 0 || id >= n || id == unk || id == bos || id == eos {
				return nil, fmt.Errorf("merge %d: token id %d is not a regular piece", i, id)
			}
		}
		if pieces[rule.left]+pieces[rule.right] != pieces[rule.result] {
			return nil, fmt.Errorf("merge %d: piece %q is not %q + %q", i, pieces[rule.result], pieces[rule.left], pieces[rule.right])
		}
		key := pairKey(rule.left, rule.right)
		if _, dup := t.ranks[key]; dup {
			return nil, fmt.Errorf("merge %d (%q + %q) is listed twice", i, pieces[rule.left], pieces[rule.right])
		}
		t.ranks[key] = ranked{rank: rule.rank, result: rule.result}
		t.merges = append(t.merges, rule.mergeRule)
	}
	t.pool.New = func() any { return newEncoder(t) }
	return t, nil
}

// encodePieces appends the ids of text to dst the sentencepiece way: the
// dummy prefix, characters or their byte fallbacks, then the merges.
func (e *encoder) encodePieces(dst []int32, text []byte) []int32 {
	if len(text) == 0 {
		return dst
	}
	sp := e.t.sp
	ids := append(e.ids[:0], sp.chars[" "])
	if _, ok := sp.chars[" "]; !ok {
		ids[0] = e.t.byteID[' ']
	}
	for len(text) > 0 {
		r, size := utf8.DecodeRune(text)
		if id, ok := sp.chars[string(text[:size])]; ok && (r != utf8.RuneError || size > 1) {
			ids = append(ids, id)
		} else {
			for _, b := range text[:size] {
				ids = append(ids, e.t.byteID[b])
			}
		}
		text = text[size:]
	}
	ids = e.mergeIDs(ids)
	e.ids = ids
	return append(dst, ids...)
}
