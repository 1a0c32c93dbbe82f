package data

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// llmcFixture is an llm.c GPT-2 shard of the tokens 1, 65535, 0x1234,
// written out byte by byte from llm.c's layout: int32 magic 20240520,
// version 1, count 3, 253 zero int32s, then uint16 tokens, little-endian.
func llmcFixture() []byte {
	b := []byte{0x88, 0xd8, 0x34, 0x01, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00}
	b = append(b, make([]byte, 1024-12)...)
	return append(b, 0x01, 0x00, 0xff, 0xff, 0x34, 0x12)
}

// llmc32Fixture is llm.c's Llama 3 layout (magic 20240801, version 7) of
// the tokens 70000 and 0x01020304 as uint32.
func llmc32Fixture() []byte {
	b := []byte{0xa1, 0xd9, 0x34, 0x01, 0x07, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}
	b = append(b, make([]byte, 1024-12)...)
	return append(b, 0x70, 0x11, 0x01, 0x00, 0x04, 0x03, 0x02, 0x01)
}

func TestShardFixtures(t *testing.T) {
	tests := []struct {
		format ShardFormat
		raw    []byte
		tokens []int32
	}{
		{ShardLLMC, llmcFixture(), []int32{1, 65535, 0x1234}},
		{ShardLLMC32, llmc32Fixture(), []int32{70000, 0x01020304}},
		{ShardNanoGPT, []byte{0x01, 0x00, 0xff, 0xff, 0x34, 0x12}, []int32{1, 65535, 0x1234}},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteShard(&buf, tt.format, tt.tokens); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), tt.raw) {
				t.Errorf("WriteShard wrote\n%x\nwant\n%x", buf.Bytes(), tt.raw)
			}
			for _, size := range []int64{int64(len(tt.raw)), -1} {
				got, f, err := ReadShard(bytes.NewReader(tt.raw), size, "", 0)
				if err != nil {
					t.Fatalf("size %d: %v", size, err)
				}
				if f != tt.format || !slices.Equal(got, tt.tokens) {
					t.Errorf("size %d: read %v as %s, want %v as %s", size, got, f, tt.tokens, tt.format)
				}
			}
		})
	}
}

func TestShardWriterMatchesWriteShard(t *testing.T) {
	tokens := make([]int32, 3*readBlockTokens+17)
	for i := range tokens {
		tokens[i] = int32(i*7919) % 50257
	}
	dir := t.TempDir()
	for _, f := range ShardFormats() {
		path := filepath.Join(dir, string(f)+".bin")
		w, err := CreateShard(path, f)
		if err != nil {
			t.Fatal(err)
		}
		for rest := tokens; len(rest) > 0; {
			k := min(len(rest), 1000)
			if err := w.Write(rest[:k]); err != nil {
				t.Fatal(err)
			}
			rest = rest[k:]
		}
		info, err := w.Close()
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := WriteShard(&want, f, tokens); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(want.Bytes())
		if !bytes.Equal(got, want.Bytes()) || info.SHA256 != hex.EncodeToString(sum[:]) || info.Tokens != int64(len(tokens)) || info.File != string(f)+".bin" {
			t.Errorf("%s: streamed shard (%d bytes, %+v) differs from WriteShard (%d bytes)", f, len(got), info, want.Len())
		}
	}
}

// TestShardConversion writes tokens in one format, reads them back by that
// format's rules, converts them to each other format and reads them back
// by the other's rules.
func TestShardConversion(t *testing.T) {
	tokens := []int32{50256, 0, 1, 2, 65535, 31337, 50256}
	for _, from := range ShardFormats() {
		var a bytes.Buffer
		if err := WriteShard(&a, from, tokens); err != nil {
			t.Fatal(err)
		}
		mid, _, err := ReadShard(bytes.NewReader(a.Bytes()), int64(a.Len()), from, 65536)
		if err != nil {
			t.Fatalf("%s: %v", from, err)
		}
		for _, to := range ShardFormats() {
			var b bytes.Buffer
			if err := WriteShard(&b, to, mid); err != nil {
				t.Fatal(err)
			}
			got, f, err := ReadShard(bytes.NewReader(b.Bytes()), int64(b.Len()), to, 65536)
			if err != nil || f != to || !slices.Equal(got, tokens) {
				t.Errorf("%s -> %s: got %v (%s, %v), want %v", from, to, got, f, err, tokens)
			}
		}
	}
}

func TestReadShardErrors(t *testing.T) {
	withHeader := func(magic, version, count uint32, tokenBytes int) []byte {
		b := make([]byte, 1024+tokenBytes)
		for i, v := range []uint32{magic, version, count} {
			b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		}
		return b
	}
	tests := []struct {
		name   string
		raw    []byte
		size   int64 // -2: use len(raw)
		format ShardFormat
		vocab  int
		want   string
	}{
		{"bad magic", withHeader(20240521, 1, 1, 2), -2, ShardLLMC, 0, "magic 20240521, want 20240520"},
		{"bad version", withHeader(20240520, 2, 1, 2), -2, "", 0, "version 2, want 1"},
		{"bad llmc32 version", withHeader(20240801, 3, 1, 4), -2, "", 0, "version 3, want 7"},
		{"negative count", withHeader(20240520, 1, 0xffffffff, 2), -2, "", 0, "token count -1"},
		{"size short of count", withHeader(20240520, 1, 2, 2), -2, "", 0, "1026 bytes, want 1028"},
		{"size past count", withHeader(20240520, 1, 0, 2), -2, "", 0, "1026 bytes, want 1024"},
		{"stream short of count", withHeader(20240520, 1, 2, 2), -1, "", 0, "ends after 1 of the 2 tokens"},
		{"stream past count", withHeader(20240520, 1, 0, 2), -1, "", 0, "bytes after the 0 tokens"},
		{"huge count unsized", withHeader(20240520, 1, 0x7fffffff, 2), -1, "", 0, "ends after 1 of the 2147483647 tokens"},
		{"short header", llmcFixture()[:100], -1, "", 0, "100 bytes, want at least the 1024-byte header"},
		{"odd nanogpt size", []byte{1, 0, 2}, -2, "", 0, "3 bytes, want an even size"},
		{"odd nanogpt stream", []byte{1, 0, 2}, -1, "", 0, "ends inside a token"},
		{"token beyond vocab", llmcFixture(), -2, "", 50257, "token 65535 at position 1, want ids below the vocabulary size 50257"},
		{"token beyond int32", append(withHeader(20240801, 7, 1, 0), 0, 0, 0, 0x80), -2, "", 0, "does not fit an int32"},
		{"unknown format", llmcFixture(), -2, "llmc64", 0, `shard format "llmc64"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size := tt.size
			if size == -2 {
				size = int64(len(tt.raw))
			}
			_, _, err := ReadShard(bytes.NewReader(tt.raw), size, tt.format, tt.vocab)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadShardNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.bin")
	if err := os.WriteFile(path, llmcFixture()[:1028], 0o666); err != nil {
		t.Fatal(err)
	}
	_, _, err := LoadShard(path, "", 0)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "1028 bytes, want 1030") {
		t.Errorf("error %v, want it to name %s and the expected size", err, path)
	}
}

func TestWriteShardRejectsWideTokens(t *testing.T) {
	for _, f := range []ShardFormat{ShardLLMC, ShardNanoGPT} {
		if err := WriteShard(&bytes.Buffer{}, f, []int32{1, 65536}); err == nil || !strings.Contains(err.Error(), "token 65536 at position 1") {
			t.Errorf("%s: error %v, want one naming token 65536", f, err)
		}
	}
	if err := WriteShard(&bytes.Buffer{}, ShardLLMC32, []int32{1, 65536, -1}); err == nil || !strings.Contains(err.Error(), "token -1") {
		t.Errorf("llmc32: error %v, want one naming token -1", err)
	}
}

// FuzzReadShard checks that ReadShard never panics or over-allocates on
// any input, that reading with and without the size agrees, and that what
// it reads survives a write and read in the same format.
func FuzzReadShard(f *testing.F) {
	f.Add(llmcFixture(), uint8(0), true)
	f.Add(llmc32Fixture(), uint8(0), false)
	f.Add([]byte{1, 0, 2, 0}, uint8(3), true)
	f.Add(llmcFixture()[:1026], uint8(1), false)
	f.Add(append(llmc32Fixture()[:1024], 1, 2, 3), uint8(2), true)
	f.Fuzz(func(t *testing.T, raw []byte, fmtIndex uint8, sized bool) {
		format := ShardFormat("")
		if i := int(fmtIndex) % 4; i > 0 {
			format = ShardFormats()[i-1]
		}
		size := int64(-1)
		if sized {
			size = int64(len(raw))
		}
		tokens, got, err := ReadShard(bytes.NewReader(raw), size, format, 0)
		if err != nil {
			return
		}
		otherSize := int64(len(raw)) // read again the other way
		if sized {
			otherSize = -1
		}
		other, _, err := ReadShard(bytes.NewReader(raw), otherSize, got, 0)
		if err != nil || !slices.Equal(tokens, other) {
			t.Fatalf("read with size %d gave %d tokens, other read gave %d tokens (%v)", size, len(tokens), len(other), err)
		}
		var buf bytes.Buffer
		if err := WriteShard(&buf, got, tokens); err != nil {
			t.Fatal(err)
		}
		back, _, err := ReadShard(bytes.NewReader(buf.Bytes()), int64(buf.Len()), got, 0)
		if err != nil || !slices.Equal(back, tokens) {
			t.Fatalf("round trip through %s: %v", got, err)
		}
	})
}
