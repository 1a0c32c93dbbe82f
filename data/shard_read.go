package data

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
)

// readBlockTokens is how many tokens ReadShard decodes at a time. Memory
// grows with the tokens actually read, never with a count a header claims.
const readBlockTokens = 1 << 16

// ReadShard reads one token shard from r and checks it.
//
// size is the number of bytes r holds when known (from os.Stat, say), else
// -1; a known size must match the header's token count exactly. With format
// "" the layout is detected: a shard that starts with an llm.c magic number
// is read in that layout, anything else as nanogpt (which has no header,
// so a nanogpt shard whose first two tokens spell a magic number is
// misread; name the format when that can happen). When vocab > 0 every
// token id must be below it. ReadShard returns the tokens and the format it
// read.
func ReadShard(r io.Reader, size int64, format ShardFormat, vocab int) ([]int32, ShardFormat, error) {
	return readShard(nil, r, size, format, vocab)
}

// readShard is ReadShard appending the tokens to dst.
func readShard(dst []int32, r io.Reader, size int64, format ShardFormat, vocab int) ([]int32, ShardFormat, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if format == "" {
		format = detectShardFormat(br)
	} else if _, err := ParseShardFormat(string(format)); err != nil {
		return nil, "", err
	}
	n := int64(-1) // tokens expected; -1 while unknown
	if format == ShardNanoGPT {
		if size >= 0 {
			if size%2 != 0 {
				return nil, format, fmt.Errorf("nanogpt shard of %d bytes, want an even size (uint16 tokens)", size)
			}
			n = size / 2
		}
	} else {
		count, err := readLLMCHeader(br, format)
		if err != nil {
			return nil, format, err
		}
		if want := format.fileSize(count); size >= 0 && size != want {
			return nil, format, fmt.Errorf("%s shard of %d bytes, want %d (%d-byte header + %d tokens x %d bytes)",
				format, size, want, format.headerBytes(), count, format.tokenBytes())
		}
		n = count
	}
	hint := min(n, readBlockTokens)
	if size >= 0 {
		hint = n // the file's size vouches for the count
	}
	if hint > 0 && int64(cap(dst)-len(dst)) < hint {
		dst = slices.Grow(dst, int(hint))
	}
	start := len(dst)
	tokens, err := readTokens(dst, br, format, n)
	if err != nil {
		return nil, format, err
	}
	if vocab > 0 {
		for i, t := range tokens[start:] {
			if int(t) >= vocab {
				return nil, format, fmt.Errorf("token %d at position %d, want ids below the vocabulary size %d", t, i, vocab)
			}
		}
	}
	return tokens, format, nil
}

// detectShardFormat peeks at the first four bytes of br for an llm.c magic.
func detectShardFormat(br *bufio.Reader) ShardFormat {
	b, err := br.Peek(4)
	if err != nil {
		return ShardNanoGPT
	}
	switch binary.LittleEndian.Uint32(b) {
	case llmcMagic:
		return ShardLLMC
	case llmc32Magic:
		return ShardLLMC32
	}
	return ShardNanoGPT
}

// readLLMCHeader reads and checks a 256-int32 header and returns its token
// count.
func readLLMCHeader(r io.Reader, format ShardFormat) (int64, error) {
	h := make([]byte, llmcHeaderBytes)
	if k, err := io.ReadFull(r, h); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return 0, fmt.Errorf("%s shard of %d bytes, want at least the %d-byte header", format, k, llmcHeaderBytes)
		}
		return 0, fmt.Errorf("%s shard header: %w", format, err)
	}
	magic := int32(binary.LittleEndian.Uint32(h[0:]))
	version := int32(binary.LittleEndian.Uint32(h[4:]))
	count := int32(binary.LittleEndian.Uint32(h[8:]))
	wantMagic, versionOK := int32(llmcMagic), version == llmcVersion
	if format == ShardLLMC32 {
		wantMagic, versionOK = llmc32Magic, version == llmc32Version || version == 1
	}
	switch {
	case magic != wantMagic:
		return 0, fmt.Errorf("%s shard header magic %d, want %d", format, magic, wantMagic)
	case !versionOK && format == ShardLLMC32:
		return 0, fmt.Errorf("%s shard header version %d, want %d (or 1)", format, version, llmc32Version)
	case !versionOK:
		return 0, fmt.Errorf("%s shard header version %d, want %d (uint16 tokens)", format, version, llmcVersion)
	case count < 0:
		return 0, fmt.Errorf("%s shard header token count %d, want >= 0", format, count)
	}
	return int64(count), nil
}

// readTokens decodes the tokens that follow the header: exactly n of them
// with nothing after, or all the rest when n < 0. It appends them to dst.
func readTokens(dst []int32, r io.Reader, format ShardFormat, n int64) ([]int32, error) {
	width := int(format.tokenBytes())
	out, start := dst, len(dst)
	buf := make([]byte, readBlockTokens*width)
	for n < 0 || int64(len(out)-start) < n {
		want := len(buf)
		if n >= 0 {
			want = int(min(int64(want), (n-int64(len(out)-start))*int64(width)))
		}
		k, err := io.ReadFull(r, buf[:want])
		if k%width != 0 {
			return nil, fmt.Errorf("%s shard ends inside a token: %d bytes after %d tokens", format, k%width, len(out)-start+k/width)
		}
		var bad error
		out, bad = decodeTokens(out, buf[:k], width, start)
		if bad != nil {
			return nil, bad
		}
		switch {
		case err == nil:
		case n < 0 && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)):
			return out, nil
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("%s shard ends after %d of the %d tokens its header counts", format, len(out)-start, n)
		default:
			return nil, fmt.Errorf("%s shard: %w", format, err)
		}
	}
	var one [1]byte
	switch k, err := io.ReadFull(r, one[:]); {
	case k > 0:
		return nil, fmt.Errorf("%s shard has bytes after the %d tokens its header counts", format, n)
	case err != nil && !errors.Is(err, io.EOF):
		return nil, fmt.Errorf("%s shard: %w", format, err)
	}
	return out, nil
}

// decodeTokens appends the little-endian tokens of b to dst, whose shard
// starts at index start (for messages).
func decodeTokens(dst []int32, b []byte, width, start int) ([]int32, error) {
	if width == 2 {
		for i := 0; i < len(b); i += 2 {
			dst = append(dst, int32(binary.LittleEndian.Uint16(b[i:])))
		}
		return dst, nil
	}
	for i := 0; i < len(b); i += 4 {
		t := binary.LittleEndian.Uint32(b[i:])
		if t > math.MaxInt32 {
			return nil, fmt.Errorf("token %d at position %d does not fit an int32 id", t, len(dst)-start)
		}
		dst = append(dst, int32(t))
	}
	return dst, nil
}

// LoadShard reads the shard file at path; see ReadShard.
func LoadShard(path string, format ShardFormat, vocab int) ([]int32, ShardFormat, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("read shard: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, "", fmt.Errorf("read shard: %w", err)
	}
	tokens, format, err := ReadShard(f, fi.Size(), format, vocab)
	if err != nil {
		return nil, format, fmt.Errorf("read shard %s: %w", path, err)
	}
	return tokens, format, nil
}
