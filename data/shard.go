package data

import (
	"encoding/binary"
	"fmt"
	"math"
)

// ShardFormat names a layout of token shard files (.bin).
type ShardFormat string

// The shard layouts plateau reads and writes. All numbers are little-endian.
const (
	// ShardNanoGPT is nanoGPT's layout: the tokens as uint16, nothing else.
	// The vocabulary must fit in 16 bits.
	ShardNanoGPT ShardFormat = "nanogpt"
	// ShardLLMC is llm.c's GPT-2 layout: a header of 256 int32 (magic
	// 20240520, version 1, token count, the rest zero), then the tokens as
	// uint16. llm.c's training loader reads only this layout.
	ShardLLMC ShardFormat = "llmc"
	// ShardLLMC32 is llm.c's Llama 3 layout (dev/data/data_common.py): the
	// same header with magic 20240801 and version 7, then the tokens as
	// uint32, for vocabularies beyond 65536. Version 1 is also read.
	ShardLLMC32 ShardFormat = "llmc32"
)

// Header constants of the llm.c layouts.
const (
	llmcHeaderInts  = 256
	llmcHeaderBytes = 4 * llmcHeaderInts
	llmcMagic       = 20240520
	llmcVersion     = 1
	llmc32Magic     = 20240801
	llmc32Version   = 7
)

// ShardFormats lists the formats ParseShardFormat accepts.
func ShardFormats() []ShardFormat { return []ShardFormat{ShardLLMC, ShardLLMC32, ShardNanoGPT} }

// ParseShardFormat checks that s names a shard format.
func ParseShardFormat(s string) (ShardFormat, error) {
	for _, f := range ShardFormats() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("shard format %q, want llmc, llmc32 or nanogpt", s)
}

// headerBytes is the size of the format's header.
func (f ShardFormat) headerBytes() int64 {
	if f == ShardNanoGPT {
		return 0
	}
	return llmcHeaderBytes
}

// tokenBytes is the size of one token.
func (f ShardFormat) tokenBytes() int64 {
	if f == ShardLLMC32 {
		return 4
	}
	return 2
}

// MaxVocab returns the largest vocabulary whose ids the format can store.
func (f ShardFormat) MaxVocab() int {
	if f == ShardLLMC32 {
		return math.MaxInt32
	}
	return 1 << 16
}

// fileSize is the size of a shard of n tokens.
func (f ShardFormat) fileSize(n int64) int64 { return f.headerBytes() + n*f.tokenBytes() }

// header returns the header of a shard of n tokens (empty for nanogpt).
func (f ShardFormat) header(n int64) []byte {
	if f == ShardNanoGPT {
		return nil
	}
	magic, version := int32(llmcMagic), int32(llmcVersion)
	if f == ShardLLMC32 {
		magic, version = llmc32Magic, llmc32Version
	}
	h := make([]byte, llmcHeaderBytes)
	binary.LittleEndian.PutUint32(h[0:], uint32(magic))
	binary.LittleEndian.PutUint32(h[4:], uint32(version))
	binary.LittleEndian.PutUint32(h[8:], uint32(n))
	return h
}

// maxShardTokens is the most tokens an llm.c header can count.
const maxShardTokens = math.MaxInt32

// maxTokens is the most tokens one shard file of the format can hold: what
// an llm.c header counts, or for nanogpt what keeps its size in an int64.
func (f ShardFormat) maxTokens() int64 {
	if f == ShardNanoGPT {
		return math.MaxInt64 / f.tokenBytes()
	}
	return maxShardTokens
}

// appendTokens appends tokens to dst in the format's token encoding. The
// caller has checked that they fit.
func (f ShardFormat) appendTokens(dst []byte, tokens []int32) []byte {
	if f.tokenBytes() == 4 {
		for _, t := range tokens {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(t))
		}
		return dst
	}
	for _, t := range tokens {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(t))
	}
	return dst
}

// checkTokens returns an error for the first token the format cannot store.
func (f ShardFormat) checkTokens(tokens []int32) error {
	limit := int64(f.MaxVocab())
	for i, t := range tokens {
		if t < 0 || int64(t) >= limit {
			return fmt.Errorf("token %d at position %d does not fit the %s format (ids below %d)", t, i, f, limit)
		}
	}
	return nil
}
