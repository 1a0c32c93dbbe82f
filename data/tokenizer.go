package data

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// EndOfText is the content of the special token that separates documents.
const EndOfText = "<|endoftext|>"

// Tokenizer is a BPE tokenizer: byte-level with GPT-2 pre-tokenization (the
// kind plateau trains, and GPT-2's), or sentencepiece-style (Llama's and
// llama2.c's; see sentencepiece.go and ReadTokenizerBin).
//
// Tokenizers made by TrainBPE or a BPETrainer use this id layout: ids 0..255
// are the single bytes in byte order, ids 256.. are the tokens created by the
// merges in the order they were first created, and the last id,
// VocabSize()-1, is the special token "<|endoftext|>". GPT2 keeps GPT-2's
// ids, and tokenizers read from a tokenizer.json keep that file's ids.
//
// A Tokenizer is immutable and safe for concurrent use.
type Tokenizer struct {
	tokens [][]byte          // id -> raw bytes; tokens[eot] is EndOfText
	byteID [256]int32        // byte value -> id of its single-byte token
	merges []mergeRule       // in rank order
	ranks  map[uint64]ranked // pair key -> rank and result
	eot    int32
	pool   sync.Pool      // of *encoder
	sp     *sentencePiece // set for a sentencepiece-style tokenizer
}

// mergeRule says that the adjacent tokens Left, Right become Result.
type mergeRule struct {
	left, right, result int32
}

// ranked is the rank of a merge rule and the token it produces.
type ranked struct {
	rank, result int32
}

// pairKey packs an ordered pair of ids into a map key.
func pairKey(left, right int32) uint64 {
	return uint64(uint32(left))<<32 | uint64(uint32(right))
}

// newTokenizer checks and indexes a vocabulary and merge list. Every byte
// must have a single-byte token, each merge result must be the concatenation
// of its parts, and no merge may involve the end-of-text token.
func newTokenizer(tokens [][]byte, merges []mergeRule, eot int32) (*Tokenizer, error) {
	n := int32(len(tokens))
	if eot < 0 || eot >= n {
		return nil, fmt.Errorf("end-of-text id %d outside vocabulary of %d tokens", eot, n)
	}
	t := &Tokenizer{tokens: tokens, merges: merges, eot: eot, ranks: make(map[uint64]ranked, len(merges))}
	for i := range t.byteID {
		t.byteID[i] = -1
	}
	for id, tok := range tokens {
		if int32(id) != eot && len(tok) == 1 {
			t.byteID[tok[0]] = int32(id)
		}
	}
	for b, id := range t.byteID {
		if id < 0 {
			return nil, fmt.Errorf("vocabulary has no token for byte 0x%02x", b)
		}
	}
	for rank, m := range merges {
		for _, id := range [...]int32{m.left, m.right, m.result} {
			if id < 0 || id >= n || id == eot {
				return nil, fmt.Errorf("merge %d: token id %d is not a regular token", rank, id)
			}
		}
		l, r, res := tokens[m.left], tokens[m.right], tokens[m.result]
		if len(res) != len(l)+len(r) || !bytes.HasPrefix(res, l) || !bytes.HasSuffix(res, r) {
			return nil, fmt.Errorf("merge %d: token %d is not the concatenation of tokens %d and %d", rank, m.result, m.left, m.right)
		}
		key := pairKey(m.left, m.right)
		if prev, dup := t.ranks[key]; dup {
			return nil, fmt.Errorf("merge %d repeats merge %d", rank, prev.rank)
		}
		t.ranks[key] = ranked{rank: int32(rank), result: m.result}
	}
	t.pool.New = func() any { return newEncoder(t) }
	return t, nil
}

// VocabSize returns the number of token ids, including the end-of-text token.
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// EOT returns the id of the token that ends a document: "<|endoftext|>" for
// a byte-level tokenizer, "</s>" for a sentencepiece-style one.
func (t *Tokenizer) EOT() int32 { return t.eot }

// BOS returns the id of the token that begins a sequence, "<s>", and true
// for a sentencepiece-style tokenizer, whose models expect it before every
// prompt (as Hugging Face's Llama tokenizer adds it); a byte-level
// tokenizer has none.
func (t *Tokenizer) BOS() (int32, bool) {
	if t.sp == nil {
		return 0, false
	}
	return t.sp.bos, true
}

// StopIDs are the ids that end a generated sequence: the end-of-text token
// and, for a sentencepiece-style tokenizer, the begin token too, which
// starts the next document in llama2.c's training data (run.c stops at it).
func (t *Tokenizer) StopIDs() []int32 {
	if t.sp == nil {
		return []int32{t.eot}
	}
	return []int32{t.eot, t.sp.bos}
}

// SentencePiece reports whether t is a sentencepiece-style tokenizer.
func (t *Tokenizer) SentencePiece() bool { return t.sp != nil }

// NumMerges returns the number of merge rules.
func (t *Tokenizer) NumMerges() int { return len(t.merges) }

// Encode returns the token ids of text. Any byte string is accepted and
// Decode(Encode(text)) reproduces it exactly (for a sentencepiece-style
// tokenizer, valid UTF-8 without the special tokens' names: the dummy
// prefix is added and taken off again, characters without a piece or byte
// fallback become "<unk>"). The text is plain text: an "<|endoftext|>"
// inside it is encoded as ordinary text, never as the EOT id, which is what
// training data needs; EncodeSpecial maps it to the id, as the Hugging Face
// library does. No begin token is added (see BOS).
func (t *Tokenizer) Encode(text []byte) []int32 {
	e := t.pool.Get().(*encoder)
	ids := e.encode(nil, text)
	t.pool.Put(e)
	return ids
}

// EncodeAll encodes each document on up to workers goroutines (all CPUs when
// workers <= 0). The result is in document order.
func (t *Tokenizer) EncodeAll(docs [][]byte, workers int) [][]int32 {
	out := make([][]int32, len(docs))
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(docs))
	var (
		wg   sync.WaitGroup
		next atomic.Int64 // next document to encode
	)
	for range workers {
		wg.Go(func() {
			e := t.pool.Get().(*encoder)
			defer t.pool.Put(e)
			for i := int(next.Add(1) - 1); i < len(docs); i = int(next.Add(1) - 1) {
				out[i] = e.encode(nil, docs[i])
			}
		})
	}
	wg.Wait()
	return out
}

// Decode returns the bytes that the ids stand for. The EOT id decodes to
// "<|endoftext|>" (sentencepiece: the special ids to "<unk>", "<s>" and
// "</s>", and the space a sequence starts with, Encode's dummy prefix, is
// dropped, as Hugging Face's decoder does). An id outside [0, VocabSize())
// is an error.
func (t *Tokenizer) Decode(ids []int32) ([]byte, error) {
	out, err := t.decode(ids)
	if err == nil && t.sp != nil && len(out) > 0 && out[0] == ' ' {
		out = out[1:]
	}
	return out, err
}

// Piece returns the bytes of token id as the continuation of a text whose
// last token is prev (-1: none), for showing generated text token by token:
// the token's bytes, except that after a sentencepiece begin token the
// leading space is dropped, as run.c and the dummy prefix rule do.
func (t *Tokenizer) Piece(prev, id int32) ([]byte, error) {
	out, err := t.decode([]int32{id})
	if err == nil && t.sp != nil && prev == t.sp.bos && len(out) > 0 && out[0] == ' ' {
		out = out[1:]
	}
	return out, err
}

// decode concatenates the tokens' bytes.
func (t *Tokenizer) decode(ids []int32) ([]byte, error) {
	size := 0
	for i, id := range ids {
		if id < 0 || int(id) >= len(t.tokens) {
			return nil, fmt.Errorf("decode: token %d at position %d outside vocabulary [0, %d)", id, i, len(t.tokens))
		}
		size += len(t.tokens[id])
	}
	out := make([]byte, 0, size)
	for _, id := range ids {
		out = append(out, t.tokens[id]...)
	}
	return out, nil
}

// Token returns a copy of the bytes of token id, or false if id is out of
// range. It is meant for inspecting a vocabulary.
func (t *Tokenizer) Token(id int32) ([]byte, bool) {
	if id < 0 || int(id) >= len(t.tokens) {
		return nil, false
	}
	return bytes.Clone(t.tokens[id]), true
}
