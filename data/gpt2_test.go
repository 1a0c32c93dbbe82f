package data

import (
	"bytes"
	"slices"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tiktoken-go/tokenizer/codec"
)

// gpt2Cases are strings on which GPT-2 pre-tokenization and merging are easy
// to get wrong.
var gpt2Cases = []string{
	"",
	"Hello world",
	"I'm sure it's what they'll've done, isn't it? 'S 'LL",
	"don't DON'T you're we've I'd",
	"12345 3.14159 1,000,000 2024-01-01 0x1F",
	"a  b   c    d\t\te\n\n\nf \n g",
	"   leading and trailing   ",
	"\n",
	" ",
	"    ",
	"line\r\nbreak\r\n",
	"héllo wörld naïve café",
	"日本語のテキスト、中文文本。",
	"Привет, мир! Ελληνικά",
	"emoji 🎉🎉 👨‍👩‍👧 flags 🇫🇷",
	"math ∑ x² ≤ ∞ ¼",
	"<|endoftext|>",
	"tabs\tand\u00a0nbsp\u2003em space",
	"ⅷ Ⅻ ½ ٣ numbers",
	"func main() { fmt.Println(\"hi\") }",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	"----------------------------------------------------------------------------------------------------------------",
}

// tiktokenIDs encodes s with tiktoken-go's r50k_base.
func tiktokenIDs(t *testing.T, c *codec.Codec, s string) []int32 {
	t.Helper()
	ids, _, err := c.Encode(s)
	if err != nil {
		t.Fatalf("tiktoken-go encode %q: %v", s, err)
	}
	out := make([]int32, len(ids))
	for i, id := range ids {
		out[i] = int32(id)
	}
	return out
}

// gpt2Tokenizer is GPT2(), built once for the tests.
var gpt2Tokenizer = sync.OnceValues(GPT2)

func testGPT2(t testing.TB) *Tokenizer {
	t.Helper()
	tok, err := gpt2Tokenizer()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestGPT2MatchesTiktoken(t *testing.T) {
	tok := testGPT2(t)
	if tok.VocabSize() != 50257 || tok.EOT() != 50256 || tok.NumMerges() != 50000 {
		t.Fatalf("vocab %d, EOT %d, merges %d; want 50257, 50256, 50000", tok.VocabSize(), tok.EOT(), tok.NumMerges())
	}
	c := codec.NewR50kBase()
	for _, s := range gpt2Cases {
		got, want := tok.Encode([]byte(s)), tiktokenIDs(t, c, s)
		if !slices.Equal(got, want) {
			t.Errorf("Encode(%q) = %v, tiktoken-go gives %v", s, got, want)
		}
		if back, err := tok.Decode(got); err != nil || !bytes.Equal(back, []byte(s)) {
			t.Errorf("Decode(Encode(%q)) = %q, %v", s, back, err)
		}
	}
	// A few KB of each of the first built-in documents, cut at a valid
	// UTF-8 boundary.
	docs, err := smallDocs()
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range docs[:8] {
		d = d[:min(len(d), 4096)]
		for len(d) > 0 && !utf8.Valid(d) {
			d = d[:len(d)-1]
		}
		if got, want := tok.Encode(d), tiktokenIDs(t, c, string(d)); !slices.Equal(got, want) {
			t.Errorf("document %d: encodings differ (%d tokens, tiktoken-go %d)", i, len(got), len(want))
		}
	}
}

// TestGPT2Layout checks a few well-known GPT-2 ids and that the built
// tokenizer is the same on every call.
func TestGPT2Layout(t *testing.T) {
	tok := testGPT2(t)
	for id, s := range map[int32]string{0: "!", 220: " ", 262: " the", 198: "\n", 221: "\x7f", 50256: EndOfText} {
		if got, _ := tok.Token(id); string(got) != s {
			t.Errorf("token %d = %q, want %q", id, got, s)
		}
	}
	if got := tok.Encode([]byte("a\x7f0")); !slices.Equal(got, []int32{64, 221, 15}) {
		t.Errorf(`Encode("a\x7f0") = %v, want [64 221 15]`, got)
	}
	start := time.Now()
	again, err := GPT2()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("GPT2() took %v", time.Since(start))
	if !slices.Equal(again.merges, tok.merges) || !slices.EqualFunc(again.tokens, tok.tokens, bytes.Equal) {
		t.Error("two calls to GPT2 differ")
	}
}

// tiktokenComparable reports whether tiktoken-go v0.10.0 encodes s faithfully:
// it replaces invalid UTF-8 by U+FFFD, and its generated pre-tokenizer
// matches no class for DEL (0x7f), which it then silently drops (GPT-2
// itself encodes DEL as id 221; see TestGPT2Layout).
func tiktokenComparable(s []byte) bool {
	return utf8.Valid(s) && !bytes.ContainsRune(s, 0x7f)
}

// FuzzGPT2Tiktoken checks that GPT-2 encoding equals tiktoken-go's wherever
// tiktoken-go is faithful; FuzzRoundTrip covers the round trip.
func FuzzGPT2Tiktoken(f *testing.F) {
	tok := testGPT2(f)
	c := codec.NewR50kBase()
	for _, s := range gpt2Cases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !tiktokenComparable(in) {
			return
		}
		if ids, want := tok.Encode(in), tiktokenIDs(t, c, string(in)); !slices.Equal(ids, want) {
			t.Fatalf("Encode(%q) = %v, tiktoken-go gives %v", in, ids, want)
		}
	})
}
