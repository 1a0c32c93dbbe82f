package data

import (
	"bytes"
	"cmp"
	"slices"
)

// SpecialToken is a token that stands for a marker, not for text.
type SpecialToken struct {
	ID      int32
	Content string // its name, as text: "<|endoftext|>", "<s>", ...
}

// Specials lists t's special tokens by id: "<|endoftext|>" for a
// byte-level tokenizer; "<unk>", "<s>" and "</s>" for a sentencepiece-style
// one.
func (t *Tokenizer) Specials() []SpecialToken {
	if t.sp == nil {
		return []SpecialToken{{t.eot, EndOfText}}
	}
	out := []SpecialToken{{t.sp.unk, UnknownToken}, {t.sp.bos, BeginToken}, {t.eot, EndToken}}
	slices.SortFunc(out, func(a, b SpecialToken) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// EncodeSpecial is Encode with the special tokens' names in text parsed as
// those tokens, as the Hugging Face tokenizers library does by default: the
// text is cut at every occurrence of a special token's name (the leftmost
// first, the longest among names starting there), each piece between is
// encoded by Encode (for a sentencepiece-style tokenizer each gets its own
// dummy prefix, as Llama's tokenizer.json normalizes each piece), and each
// name becomes its id. Training data keeps Encode's plain text, where a
// document's text cannot fake a document boundary.
func (t *Tokenizer) EncodeSpecial(text []byte) []int32 {
	specials := t.Specials()
	var ids []int32
	for len(text) > 0 {
		at, best := -1, -1
		for i, s := range specials {
			j := bytes.Index(text, []byte(s.Content))
			if j < 0 {
				continue
			}
			if at < 0 || j < at || j == at && len(s.Content) > len(specials[best].Content) {
				at, best = j, i
			}
		}
		if at < 0 {
			return append(ids, t.Encode(text)...)
		}
		ids = append(ids, t.Encode(text[:at])...)
		ids = append(ids, specials[best].ID)
		text = text[at+len(specials[best].Content):]
	}
	return ids
}
