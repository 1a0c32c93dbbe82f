package data

import (
	"bytes"
	"slices"
	"testing"
)

func TestPretokenize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"tricky", "Hello world's  \n\n  x1 2.5!",
			[]string{"Hello", " world", "'s", "  \n\n ", " x", "1", " 2", ".", "5", "!"}},
		{"contractions", "I'm we'll they've you're he'd can't it's",
			[]string{"I", "'m", " we", "'ll", " they", "'ve", " you", "'re", " he", "'d", " can", "'t", " it", "'s"}},
		{"contraction case-sensitive", "IT'S", []string{"IT", "'", "S"}},
		{"contraction wins over letters", "'sa", []string{"'s", "a"}},
		{"apostrophes", "x''s", []string{"x", "''", "s"}},
		{"punctuation run", "a!'s", []string{"a", "!'", "s"}},
		{"space then punctuation", "a ?!", []string{"a", " ?!"}},
		{"trailing spaces", "a   ", []string{"a", "   "}},
		{"single space before word", " a", []string{" a"}},
		{"spaces before word", "   a", []string{"  ", " a"}},
		{"newline before word", "a\nb", []string{"a", "\n", "b"}},
		{"newline then spaces before word", "a\n  b", []string{"a", "\n ", " b"}},
		{"tab before word", "a\t\tb", []string{"a", "\t", "\t", "b"}},
		{"numbers", "abc123def 456", []string{"abc", "123", "def", " 456"}},
		{"unicode letters", "naïve café Ωμέγα", []string{"naïve", " café", " Ωμέγα"}},
		{"unicode numbers", "x²½ ٣", []string{"x", "²½", " ٣"}},
		{"unicode spaces", "a\u00a0b\u3000\u3000c", []string{"a", "\u00a0", "b", "\u3000", "\u3000", "c"}},
		{"combining mark", "e\u0301x", []string{"e", "\u0301", "x"}},
		{"emoji", "hi 👋🏽 there🎉!", []string{"hi", " 👋🏽", " there", "🎉!"}},
		{"invalid utf-8", "a\xff\xfeb \x80c", []string{"a", "\xff\xfe", "b", " \x80", "c"}},
		{"truncated rune", "ab\xe2\x82", []string{"ab", "\xe2\x82"}},
		{"invalid then space", "\xff  x", []string{"\xff", " ", " x"}},
		{"encoded U+FFFD is other", "a\uFFFDb", []string{"a", "\uFFFD", "b"}},
		{"only spaces", "  \n ", []string{"  \n "}},
		{"CRLF before word splits", "a\r\nb\r\n", []string{"a", "\r", "\n", "b", "\r\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range pretokenize(nil, []byte(tt.in)) {
				got = append(got, string(p))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("pretokenize(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzPretokenize(f *testing.F) {
	for _, s := range []string{"", "Hello world's  \n\n  x1 2.5!", "a\xff\xfe b", " \t\n\u3000x", "'ll've'd", "🎉 🎉"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		parts := pretokenize(nil, in)
		if got := bytes.Join(parts, nil); !bytes.Equal(got, in) {
			t.Fatalf("pre-tokens of %q join to %q", in, got)
		}
		for i, p := range parts {
			if len(p) == 0 {
				t.Fatalf("pre-token %d of %q is empty", i, in)
			}
		}
	})
}
