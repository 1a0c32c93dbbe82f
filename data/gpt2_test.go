package data

import (
	"bytes"
	"slices"
	"testing"

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

func TestGPT2MatchesTiktoken(t *testing.T) {
	tok, err := GPT2()
	if err != nil {
		t.Fatal(err)
	}
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
}
