package data

import (
	"bytes"
	"compress/gzip"
	"slices"
	"strings"
	"testing"
)

func TestBuiltin(t *testing.T) {
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	// The three works hold 1,204,997 + 4,025,034 + 383,656 bytes.
	if got, want := c.Bytes(), 5613687; got != want {
		t.Errorf("Bytes() = %d, want %d", got, want)
	}
	if len(c.Docs) < 300 {
		t.Errorf("%d documents, want at least 300", len(c.Docs))
	}
	for i, d := range c.Docs {
		if len(d) == 0 || len(d) > DocMaxBytes {
			t.Fatalf("document %d has %d bytes, want 1..%d", i, len(d), DocMaxBytes)
		}
	}
	if !bytes.HasPrefix(c.Docs[0], []byte("CHAPTER 1. Loomings.")) {
		t.Errorf("first document starts %.30q, want Moby-Dick", c.Docs[0])
	}
	again, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(c.Docs, again.Docs, bytes.Equal) {
		t.Error("Builtin is not deterministic")
	}
}

func TestChunkText(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		min, max int
		want     []string
	}{
		{"empty", "", 4, 8, nil},
		{"one short paragraph", "abc", 4, 8, []string{"abc"}},
		{"joins small paragraphs", "a\n\nb\n\nc\n\nd", 4, 20, []string{"a\n\nb\n\n", "c\n\nd"}},
		{"keeps extra blank lines", "aaaa\n\n\n\nbbbb", 4, 20, []string{"aaaa\n\n\n\n", "bbbb"}},
		{"stops before exceeding max", "aa\n\nbbbbbbbb\n\ncc", 6, 10, []string{"aa\n\n", "bbbbbbbb\n\n", "cc"}},
		{"long paragraph cut at lines", "aaa\nbbb\nccc\nddd", 1, 9, []string{"aaa\nbbb\n", "ccc\nddd"}},
		{"long line cut hard", "abcdefghij", 1, 4, []string{"abcd", "efgh", "ij"}},
		{"hard cut keeps runes whole", "ééééé", 1, 5, []string{"éé", "éé", "é"}},
		{"bad sizes", "ab", 0, -1, []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range ChunkText([]byte(tt.text), tt.min, tt.max) {
				got = append(got, string(p))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ChunkText(%q, %d, %d) = %q, want %q", tt.text, tt.min, tt.max, got, tt.want)
			}
		})
	}
}

func FuzzChunkText(f *testing.F) {
	f.Add([]byte("a\n\nb\n\nc"), 2, 5)
	f.Add([]byte("aaaa\nbbbb\n\n\n\ncccccccccc"), 3, 4)
	f.Add([]byte("ééé\xff\xfe"), 1, 2)
	f.Fuzz(func(t *testing.T, text []byte, minSize, maxSize int) {
		minSize, maxSize = minSize%64, maxSize%64
		parts := ChunkText(text, minSize, maxSize)
		if !bytes.Equal(bytes.Join(parts, nil), text) {
			t.Fatal("pieces do not join to the text")
		}
		limit := max(minSize, maxSize, 1)
		for i, p := range parts {
			if len(p) == 0 || len(p) > limit {
				t.Fatalf("piece %d has %d bytes, want 1..%d", i, len(p), limit)
			}
		}
	})
}

func TestReadCorpus(t *testing.T) {
	text := strings.Repeat("It was the best of times.\n\n", 2000)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	for name, in := range map[string][]byte{"plain": []byte(text), "gzip": gz.Bytes()} {
		c, err := ReadCorpus(name, bytes.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.Name != name || string(bytes.Join(c.Docs, nil)) != text || len(c.Docs) < 5 {
			t.Errorf("%s: got %d docs named %q that do not rebuild the text", name, len(c.Docs), c.Name)
		}
	}
	truncated := gz.Bytes()[:gz.Len()/2]
	if _, err := ReadCorpus("cut", bytes.NewReader(truncated)); err == nil || !strings.Contains(err.Error(), "read corpus cut") {
		t.Errorf("truncated gzip: error = %v", err)
	}
}

func FuzzReadCorpus(f *testing.F) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("one\n\ntwo"))
	zw.Close()
	f.Add(gz.Bytes())
	f.Add([]byte("plain\n\ntext"))
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := ReadCorpus("fuzz", bytes.NewReader(in))
		if err != nil {
			return
		}
		if len(in) < 2 || in[0] != 0x1f || in[1] != 0x8b {
			if !bytes.Equal(bytes.Join(c.Docs, nil), in) {
				t.Fatal("documents do not rebuild plain input")
			}
		}
	})
}
