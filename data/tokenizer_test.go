package data

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// smallDocs returns the first documents of the built-in corpus, about 350 KB.
var smallDocs = sync.OnceValues(func() ([][]byte, error) {
	c, err := Builtin()
	if err != nil {
		return nil, err
	}
	return c.Docs[:40], nil
})

// smallTokenizer is a 1000-token vocabulary trained on smallDocs.
var smallTokenizer = sync.OnceValues(func() (*Tokenizer, error) {
	docs, err := smallDocs()
	if err != nil {
		return nil, err
	}
	return TrainBPE(docs, 1000)
})

func testTokenizer(t testing.TB) *Tokenizer {
	t.Helper()
	tok, err := smallTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// handTokenizer has the merges a+b, ab+c and " "+ab, with ids in TrainBPE's
// layout: 256 "ab", 257 "abc", 258 " ab", 259 EOT.
func handTokenizer(t testing.TB) *Tokenizer {
	t.Helper()
	tokens := make([][]byte, 0, 260)
	for b := range 256 {
		tokens = append(tokens, []byte{byte(b)})
	}
	tokens = append(tokens, []byte("ab"), []byte("abc"), []byte(" ab"), []byte(EndOfText))
	tok, err := newTokenizer(tokens, []mergeRule{
		{'a', 'b', 256}, {256, 'c', 257}, {' ', 256, 258},
	}, 259)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestEncodeKnown(t *testing.T) {
	tok := handTokenizer(t)
	tests := []struct {
		in   string
		want []int32
	}{
		{"", nil},
		{"ab", []int32{256}},
		{"abc", []int32{257}},
		// a+b (rank 0) gives [" ", ab, c]; then ab+c (rank 1) beats " "+ab
		// (rank 2).
		{" abc", []int32{' ', 257}},
		{" ab", []int32{258}},
		{"abab", []int32{256, 256}},
		{"xab ab", []int32{'x', 256, 258}},
		{"a b", []int32{'a', ' ', 'b'}},
		{EndOfText, []int32{'<', '|', 'e', 'n', 'd', 'o', 'f', 't', 'e', 'x', 't', '|', '>'}},
	}
	for _, tt := range tests {
		if got := tok.Encode([]byte(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("Encode(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestTokenizerAccessors(t *testing.T) {
	tok := handTokenizer(t)
	if got := tok.VocabSize(); got != 260 {
		t.Errorf("VocabSize() = %d, want 260", got)
	}
	if got := tok.EOT(); got != 259 {
		t.Errorf("EOT() = %d, want 259", got)
	}
	if got := tok.NumMerges(); got != 3 {
		t.Errorf("NumMerges() = %d, want 3", got)
	}
	if b, ok := tok.Token(258); !ok || string(b) != " ab" {
		t.Errorf("Token(258) = %q, %v, want \" ab\", true", b, ok)
	}
	for _, id := range []int32{-1, 260} {
		if _, ok := tok.Token(id); ok {
			t.Errorf("Token(%d) reported ok", id)
		}
	}
}

func TestDecode(t *testing.T) {
	tok := handTokenizer(t)
	tests := []struct {
		ids     []int32
		want    string
		wantErr string
	}{
		{nil, "", ""},
		{[]int32{'x', 258, 259, 257}, "x ab<|endoftext|>abc", ""},
		{[]int32{'x', 260}, "", "token 260 at position 1 outside vocabulary [0, 260)"},
		{[]int32{-5}, "", "token -5 at position 0"},
	}
	for _, tt := range tests {
		got, err := tok.Decode(tt.ids)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Decode(%v) error = %v, want %q", tt.ids, err, tt.wantErr)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("Decode(%v) = %q, %v, want %q", tt.ids, got, err, tt.want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	tok := testTokenizer(t)
	docs, _ := smallDocs()
	tests := []string{
		"",
		"Hello world's  \n\n  x1 2.5!",
		"Call me Ishmael. Some years ago—never mind how long precisely",
		"\xff\xfe\x00\x01 invalid \xc3\x28 utf-8 \xed\xa0\x80",
		"emoji 👋🏽🎉 and CJK 中文 and RTL مرحبا",
		strings.Repeat("a", 5000),
		strings.Repeat(" ", 300) + "x" + strings.Repeat("\n", 300),
		strings.Repeat("the ", 1000),
		EndOfText + " inside text",
		string(docs[3]),
	}
	for _, in := range tests {
		ids := tok.Encode([]byte(in))
		got, err := tok.Decode(ids)
		if err != nil || string(got) != in {
			t.Errorf("Decode(Encode(%.40q)) = %.40q, %v", in, got, err)
		}
		for _, id := range ids {
			if id == tok.EOT() {
				t.Errorf("Encode(%.40q) produced the EOT id", in)
			}
		}
	}
}

// FuzzRoundTrip checks that any byte string encodes and decodes back exactly
// with a trained tokenizer and with GPT-2's.
func FuzzRoundTrip(f *testing.F) {
	toks := []*Tokenizer{testTokenizer(f), testGPT2(f)}
	for _, s := range []string{"", "Hello world's  \n\n  x1 2.5!", "\xff\x00 \xe2\x82", "👋🏽", "  \t\n the end", "\xc3\x28 \xed\xa0\x80\x7f"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for i, tok := range toks {
			got, err := tok.Decode(tok.Encode(in))
			if err != nil || !bytes.Equal(got, in) {
				t.Fatalf("tokenizer %d: Decode(Encode(%q)) = %q, %v", i, in, got, err)
			}
		}
	})
}

// TestMergeMethodsAgree checks the priority-queue merge used for long words
// against the quadratic scan on random words of a small alphabet, where many
// merges apply and ties between equal pairs are common.
func TestMergeMethodsAgree(t *testing.T) {
	alphabet := "ab ce"
	var docs [][]byte
	rng := rand.New(rand.NewPCG(1, 2))
	randWord := func(n int) []byte {
		w := make([]byte, n)
		for i := range w {
			w[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return w
	}
	for range 200 {
		docs = append(docs, randWord(200))
	}
	tok, err := TrainBPE(docs, 400)
	if err != nil {
		t.Fatal(err)
	}
	e := newEncoder(tok)
	for range 2000 {
		word := randWord(1 + rng.IntN(120))
		ids := make([]int32, len(word))
		for i, b := range word {
			ids[i] = tok.byteID[b]
		}
		scan := slices.Clone(e.mergeScan(slices.Clone(ids)))
		queue := slices.Clone(e.mergeQueue(slices.Clone(ids)))
		if !slices.Equal(scan, queue) {
			t.Fatalf("word %q: scan %v, queue %v", word, scan, queue)
		}
	}
}

func TestEncodeAll(t *testing.T) {
	tok := testTokenizer(t)
	docs, _ := smallDocs()
	for _, workers := range []int{0, 1, 3, 100} {
		got := tok.EncodeAll(docs, workers)
		if len(got) != len(docs) {
			t.Fatalf("workers %d: %d results for %d docs", workers, len(got), len(docs))
		}
		for i, d := range docs {
			if want := tok.Encode(d); !slices.Equal(got[i], want) {
				t.Fatalf("workers %d: doc %d differs from Encode", workers, i)
			}
		}
	}
	if got := tok.EncodeAll(nil, 4); len(got) != 0 {
		t.Errorf("EncodeAll(nil) = %v, want empty", got)
	}
}

func TestNewTokenizerErrors(t *testing.T) {
	byteTokens := func(extra ...string) [][]byte {
		var tokens [][]byte
		for b := range 256 {
			tokens = append(tokens, []byte{byte(b)})
		}
		for _, e := range extra {
			tokens = append(tokens, []byte(e))
		}
		return tokens
	}
	tests := []struct {
		name    string
		tokens  [][]byte
		merges  []mergeRule
		eot     int32
		wantErr string
	}{
		{"eot out of range", byteTokens(EndOfText), nil, 300, "end-of-text id 300"},
		{"missing byte", byteTokens(EndOfText)[1:], nil, 255, "no token for byte 0x00"},
		{"bad concatenation", byteTokens("ab", EndOfText), []mergeRule{{'a', 'c', 256}}, 257, "not the concatenation"},
		{"duplicate merge", byteTokens("ab", EndOfText), []mergeRule{{'a', 'b', 256}, {'a', 'b', 256}}, 257, "merge 1 repeats merge 0"},
		{"merge into eot", byteTokens("ab", EndOfText), []mergeRule{{'a', 'b', 257}}, 257, "not a regular token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newTokenizer(tt.tokens, tt.merges, tt.eot)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
