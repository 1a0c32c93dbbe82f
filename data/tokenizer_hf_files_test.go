package data

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/plateau-lab/plateau/internal/atomicfile"
)

// TestWriteHFFiles checks the files a Hugging Face loader reads beside
// tokenizer.json, for both kinds of tokenizer, as AutoTokenizer resolves
// them: tokenizer_config.json names a class the loaders know, its special
// tokens are the added tokens of tokenizer.json with the same ids,
// special_tokens_map.json and generation_config.json agree with it, and the
// tokenizer.json it sits beside reads back to the same encodings.
func TestWriteHFFiles(t *testing.T) {
	sp, err := LoadTokenizerBin(spBinFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		tok      *Tokenizer
		class    string
		bos, eos string
		addBOS   bool
	}{
		{"byte-level", testTokenizer(t), "GPT2Tokenizer", EndOfText, EndOfText, false},
		{"sentencepiece", sp, "LlamaTokenizer", BeginToken, EndToken, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write := func(path string, fn func(io.Writer) error) error { return atomicfile.Write(path, fn) }
			if err := tc.tok.WriteHFFiles(dir, 512, write); err != nil {
				t.Fatal(err)
			}
			read := func(name string, v any) {
				raw, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(raw, v); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			var cfg hfTokenizerConfig
			read(TokenizerConfigFile, &cfg)
			var js hfFile
			read(TokenizerJSONFile, &js)
			var specials map[string]hfSpecial
			read(SpecialTokensMapFile, &specials)
			var gen hfGenerationConfig
			read(GenerationConfigFile, &gen)
			if cfg.Class != tc.class || cfg.BOS != tc.bos || cfg.EOS != tc.eos || cfg.AddBOS != tc.addBOS ||
				cfg.CleanSpaces || cfg.MaxLength != 512 {
				t.Errorf("tokenizer_config.json: %+v", cfg)
			}
			added := map[string]int64{}
			for _, a := range js.AddedTokens {
				added[a.Content] = a.ID
				d, ok := cfg.AddedDecoder[strconv.FormatInt(a.ID, 10)]
				if !ok || d.Content != a.Content || !d.Special || !a.Special {
					t.Errorf("added token %q (id %d): tokenizer_config.json has %+v", a.Content, a.ID, d)
				}
			}
			if len(added) != len(cfg.AddedDecoder) {
				t.Errorf("%d added tokens, tokenizer_config.json lists %d", len(added), len(cfg.AddedDecoder))
			}
			for key, name := range map[string]string{"bos_token": cfg.BOS, "eos_token": cfg.EOS, "unk_token": cfg.UNK} {
				if _, ok := added[name]; !ok || specials[key].Content != name {
					t.Errorf("%s %q: not an added token, or special_tokens_map.json says %q", key, name, specials[key].Content)
				}
			}
			if int64(gen.BOS) != added[cfg.BOS] || int64(gen.EOS) != added[cfg.EOS] {
				t.Errorf("generation_config.json %+v, tokenizer ids bos %d eos %d", gen, added[cfg.BOS], added[cfg.EOS])
			}
			back, err := LoadTokenizer(filepath.Join(dir, TokenizerJSONFile))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range spStrings {
				if a, b := back.EncodeSpecial([]byte(s)), tc.tok.EncodeSpecial([]byte(s)); !slices.Equal(a, b) {
					t.Errorf("%q: the written tokenizer.json encodes %v, the tokenizer %v", s, a, b)
				}
			}
		})
	}
	if err := testTokenizer(t).WriteHFFiles(t.TempDir(), 0, nil); err == nil {
		t.Error("model_max_length 0 accepted")
	}
}

// TestEncodeSpecial checks that special tokens' names are parsed as the
// tokens (leftmost, longest), that the pieces between are encoded as by
// Encode, and that Encode itself keeps them as text.
func TestEncodeSpecial(t *testing.T) {
	bl := testTokenizer(t)
	sp, err := LoadTokenizerBin(spBinFile)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(tok *Tokenizer, s string) []int32 { return tok.Encode([]byte(s)) }
	cat := func(parts ...[]int32) []int32 { return slices.Concat(parts...) }
	eot := []int32{bl.EOT()}
	cases := []struct {
		tok  *Tokenizer
		text string
		want []int32
	}{
		{bl, "a<|endoftext|>b", cat(enc(bl, "a"), eot, enc(bl, "b"))},
		{bl, "<|endoftext|><|endoftext|>", cat(eot, eot)},
		{bl, "<|endoftext", enc(bl, "<|endoftext")},
		{bl, "plain", enc(bl, "plain")},
		{sp, "Call<s>me</s>", cat(enc(sp, "Call"), []int32{1}, enc(sp, "me"), []int32{2})},
		{sp, "<unk>x", cat([]int32{0}, enc(sp, "x"))},
	}
	for _, c := range cases {
		if got := c.tok.EncodeSpecial([]byte(c.text)); !slices.Equal(got, c.want) {
			t.Errorf("EncodeSpecial(%q) = %v, want %v", c.text, got, c.want)
		}
		if slices.Contains(c.tok.Encode([]byte(c.text)), c.tok.EOT()) {
			t.Errorf("Encode(%q) gives the end token", c.text)
		}
	}
}
