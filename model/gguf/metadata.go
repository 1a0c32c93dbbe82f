package gguf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/model"
)

// kv is one metadata entry.
type kv struct {
	key   string
	write func(b *binWriter) // writes the value type and the value
}

func u32KV(key string, v int) kv {
	return kv{key, func(b *binWriter) { b.u32(typeUint32); b.u32(uint32(v)) }}
}

func f32KV(key string, v float64) kv {
	return kv{key, func(b *binWriter) { b.u32(typeFloat32); b.u32(math.Float32bits(float32(v))) }}
}

func strKV(key, v string) kv {
	return kv{key, func(b *binWriter) { b.u32(typeString); b.str(v) }}
}

func strArrayKV(key string, vs []string) kv {
	return kv{key, func(b *binWriter) {
		b.u32(typeArray)
		b.u32(typeString)
		b.u64(uint64(len(vs)))
		for _, v := range vs {
			b.str(v)
		}
	}}
}

func i32ArrayKV(key string, vs []int32) kv {
	return kv{key, func(b *binWriter) {
		b.u32(typeArray)
		b.u32(typeInt32)
		b.u64(uint64(len(vs)))
		for _, v := range vs {
			b.u32(uint32(v))
		}
	}}
}

// Token types of tokenizer.ggml.token_type (llama.cpp's llama_token_type).
const (
	tokenNormal  = 1
	tokenControl = 3
	tokenUnused  = 5
)

// metadata lists the key-value pairs of a llama model.
func metadata(c model.Config, tok *data.Tokenizer, dt DType) ([]kv, error) {
	fileType := fileTypeAllF32
	if dt == F16 {
		fileType = fileTypeMostlyF16
	}
	kvs := []kv{
		strKV("general.architecture", "llama"),
		strKV("general.name", "plateau"),
		u32KV("general.file_type", fileType),
		u32KV("general.alignment", Alignment),
		u32KV("llama.context_length", c.MaxPositionEmbeddings),
		u32KV("llama.embedding_length", c.HiddenSize),
		u32KV("llama.block_count", c.NumHiddenLayers),
		u32KV("llama.feed_forward_length", c.IntermediateSize),
		u32KV("llama.attention.head_count", c.NumAttentionHeads),
		u32KV("llama.attention.head_count_kv", c.NumKeyValueHeads),
		f32KV("llama.rope.freq_base", c.RopeTheta),
		u32KV("llama.rope.dimension_count", c.HeadDim()),
		f32KV("llama.attention.layer_norm_rms_epsilon", c.RMSNormEps),
		u32KV("llama.vocab_size", c.VocabSize),
	}
	if tok == nil {
		return kvs, nil
	}
	if tok.SentencePiece() {
		return nil, fmt.Errorf("gguf: only byte-level tokenizers are embedded; this one is sentencepiece-style (export the model without -tokenizer)")
	}
	if tok.VocabSize() > c.VocabSize {
		return nil, fmt.Errorf("gguf: the tokenizer has %d tokens, the model's vocab_size is %d", tok.VocabSize(), c.VocabSize)
	}
	tokens, merges, err := byteLevelVocab(tok)
	if err != nil {
		return nil, err
	}
	types := make([]int32, c.VocabSize)
	for i := range types {
		switch {
		case i == int(tok.EOT()):
			types[i] = tokenControl
		case i < len(tokens):
			types[i] = tokenNormal
		default:
			types[i] = tokenUnused
			tokens = append(tokens, fmt.Sprintf("[PAD%d]", i))
		}
	}
	return append(kvs,
		strKV("tokenizer.ggml.model", "gpt2"),
		strKV("tokenizer.ggml.pre", "gpt-2"),
		strArrayKV("tokenizer.ggml.tokens", tokens),
		i32ArrayKV("tokenizer.ggml.token_type", types),
		strArrayKV("tokenizer.ggml.merges", merges),
		u32KV("tokenizer.ggml.bos_token_id", int(tok.EOT())),
		u32KV("tokenizer.ggml.eos_token_id", int(tok.EOT())),
	), nil
}

// byteLevelVocab returns the tokenizer's tokens in id order and its merges
// ("left right") in rank order, spelled with GPT-2's byte-to-unicode
// characters as in its tokenizer.json, which is where they are taken from.
func byteLevelVocab(tok *data.Tokenizer) (tokens, merges []string, err error) {
	var buf bytes.Buffer
	if err := tok.WriteJSON(&buf); err != nil {
		return nil, nil, err
	}
	var f struct {
		Model struct {
			Vocab  map[string]int    `json:"vocab"`
			Merges []json.RawMessage `json:"merges"`
		} `json:"model"`
	}
	if err := json.Unmarshal(buf.Bytes(), &f); err != nil {
		return nil, nil, fmt.Errorf("gguf: read the tokenizer's tokenizer.json: %w", err)
	}
	tokens = make([]string, tok.VocabSize())
	for s, id := range f.Model.Vocab {
		if id < 0 || id >= len(tokens) {
			return nil, nil, fmt.Errorf("gguf: tokenizer.json token %q has id %d outside [0, %d)", s, id, len(tokens))
		}
		tokens[id] = s
	}
	for _, raw := range f.Model.Merges {
		var s string
		var pair []string
		switch {
		case json.Unmarshal(raw, &s) == nil:
		case json.Unmarshal(raw, &pair) == nil && len(pair) == 2:
			s = strings.Join(pair, " ")
		default:
			return nil, nil, fmt.Errorf("gguf: tokenizer.json merge %s is neither \"a b\" nor [a, b]", raw)
		}
		merges = append(merges, s)
	}
	return tokens, merges, nil
}
