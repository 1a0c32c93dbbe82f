package data

import (
	"fmt"

	"github.com/tiktoken-go/tokenizer/codec"
)

// gpt2Regular is the number of regular tokens of GPT-2's vocabulary; the
// end-of-text token follows them with id 50256.
const gpt2Regular = 50256

// GPT2 returns GPT-2's byte-level BPE tokenizer (tiktoken's r50k_base: 50257
// ids, "<|endoftext|>" = 50256), with GPT-2's own token ids.
//
// It is built offline from the rank table that github.com/tiktoken-go/
// tokenizer compiles in, where a token's id is its rank. A rank table fixes
// the merge list: running BPE over the bytes of a multi-byte token with only
// the lower-ranked tokens leaves exactly two parts, and those parts are its
// merge. The table is rebuilt on every call (tens of milliseconds), so the
// package holds no state; callers that need it often should keep the result.
func GPT2() (*Tokenizer, error) {
	c := codec.NewR50kBase()
	tokens := make([][]byte, gpt2Regular+1)
	rank := make(map[string]int32, gpt2Regular)
	for id := range gpt2Regular {
		s, err := c.Decode([]uint{uint(id)})
		if err != nil || s == "" {
			return nil, fmt.Errorf("gpt2: token %d missing from the r50k_base table: %v", id, err)
		}
		if _, dup := rank[s]; dup {
			return nil, fmt.Errorf("gpt2: token %d repeats token %d (%q)", id, rank[s], s)
		}
		tokens[id] = []byte(s)
		rank[s] = int32(id)
	}
	tokens[gpt2Regular] = []byte(EndOfText)

	var merges []mergeRule
	var parts []string
	for id := range int32(gpt2Regular) {
		tok := string(tokens[id])
		if len(tok) == 1 {
			continue
		}
		parts = rankMerge(parts[:0], tok, rank, id)
		if len(parts) != 2 {
			return nil, fmt.Errorf("gpt2: token %d (%q) splits into %d parts under lower ranks, want 2", id, tok, len(parts))
		}
		merges = append(merges, mergeRule{left: rank[parts[0]], right: rank[parts[1]], result: id})
	}
	t, err := newTokenizer(tokens, merges, gpt2Regular)
	if err != nil {
		return nil, fmt.Errorf("gpt2: %w", err)
	}
	return t, nil
}

// rankMerge runs tiktoken-style BPE over word: it starts from single bytes and
// repeatedly joins the adjacent parts whose concatenation has the lowest rank
// below limit, leftmost first among equal ranks. It appends the final parts to
// dst.
func rankMerge(dst []string, word string, rank map[string]int32, limit int32) []string {
	for i := range len(word) {
		dst = append(dst, word[i:i+1])
	}
	for len(dst) > 1 {
		best, bestRank := -1, limit
		for i := 0; i+1 < len(dst); i++ {
			// Parts are adjacent substrings of word, so their concatenation
			// is the substring that spans both.
			if r, ok := rank[dst[i]+dst[i+1]]; ok && r < bestRank {
				best, bestRank = i, r
			}
		}
		if best < 0 {
			break
		}
		dst[best] = dst[best] + dst[best+1]
		dst = append(dst[:best+1], dst[best+2:]...)
	}
	return dst
}
