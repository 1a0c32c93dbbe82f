package data

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// tokenizerChoice is a parsed tokenizer spec:
//
//	bpe:VOCAB   a byte-level BPE of VOCAB ids trained on the training split
//	gpt2        GPT-2's tokenizer (50257 ids)
//	PATH        a tokenizer.json file
type tokenizerChoice struct {
	spec  string
	kind  string // "bpe", "gpt2" or "file"
	vocab int    // bpe: the vocabulary to train
	path  string // file: the tokenizer.json
}

func parseTokenizerSpec(spec string) (tokenizerChoice, error) {
	c := tokenizerChoice{spec: spec}
	switch {
	case spec == "":
		return c, fmt.Errorf("tokenizer spec is empty, want bpe:VOCAB, gpt2 or a tokenizer.json path")
	case spec == "gpt2":
		c.kind = "gpt2"
	case strings.HasPrefix(spec, "bpe:"):
		n, err := strconv.Atoi(spec[len("bpe:"):])
		if err != nil || n < MinVocabSize {
			return c, fmt.Errorf("tokenizer %q: want bpe:VOCAB with VOCAB an integer >= %d", spec, MinVocabSize)
		}
		c.kind, c.vocab = "bpe", n
	default:
		c.kind, c.path = "file", spec
	}
	return c, nil
}

// load returns the tokenizer of a gpt2 or file choice; bpe must be trained.
func (c tokenizerChoice) load() (*Tokenizer, error) {
	switch c.kind {
	case "gpt2":
		return GPT2()
	case "file":
		return LoadTokenizer(c.path)
	}
	return nil, fmt.Errorf("tokenizer %q must be trained, not loaded", c.spec)
}

// vocabSize returns the vocabulary size when it is known without loading
// anything, else 0.
func (c tokenizerChoice) vocabSize() int {
	switch c.kind {
	case "bpe":
		return c.vocab
	case "gpt2":
		return gpt2Regular + 1
	}
	return 0
}

// CheckTokenizerSpec reports whether spec names a tokenizer that Prepare
// and LoadDataset accept: bpe:VOCAB with VOCAB >= MinVocabSize, gpt2, or
// the path of an existing file (read only later). Commands call it to
// reject a bad flag before any work starts.
func CheckTokenizerSpec(spec string) error {
	c, err := parseTokenizerSpec(spec)
	if err != nil {
		return err
	}
	if c.kind == "file" {
		if _, err := os.Stat(c.path); err != nil {
			return fmt.Errorf("tokenizer %q: %w", spec, err)
		}
	}
	return nil
}
