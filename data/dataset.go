package data

import (
	"fmt"
)

// DatasetOptions configures LoadDataset.
type DatasetOptions struct {
	Source SourceOptions // machine and run settings of text sources
	// Tokenizer is bpe:VOCAB (trained on the training split), gpt2 or a
	// tokenizer.json path. Text sources need one. For bin it names the
	// tokenizer of shards that come without tokenizer.json, and must agree
	// with the one they come with; a bpe spec is ignored there and for
	// synthetic data, as there is no text to train it on.
	Tokenizer string
	// ValFraction is the fraction of documents held out for validation,
	// in [0, 1) (see Split). For bin shards without validation shards, it
	// is the fraction of tokens held out from the end of the stream.
	ValFraction float64
	Seed        uint64 // seed of the split
	Workers     int    // tokenizing goroutines; <= 0 means all CPUs
}

// Dataset holds the token streams that a training run reads.
type Dataset struct {
	Train, Val []int32
	// Tokenizer encoded the streams; nil for synthetic data and for shards
	// that come with no tokenizer.
	Tokenizer *Tokenizer
	// VocabSize is the number of token ids the model needs: the
	// tokenizer's, the synthetic source's, or for shards without a
	// tokenizer the bin spec's vocab parameter, else the largest id + 1.
	VocabSize int
	// ValBytesPerToken is the validation text's size in bytes per
	// validation token, which converts a loss per token into bits per
	// byte; 0 when unknown (synthetic data).
	ValBytesPerToken float64
	// EntropyRate is the synthetic source's entropy rate in nats per
	// document token (the floor of the loss), else 0.
	EntropyRate float64
	// Description says in one line what was loaded.
	Description string
	// Manifest is the manifest of a prepared folder, else nil.
	Manifest *Manifest
}

// LoadDataset loads the training and validation token streams that spec
// names, for a training run. spec is a text source (see Source) or:
//
//	bin:DIR             a folder written by Prepare: manifest.json, its shards
//	                    and tokenizer.json, all checked against the manifest's
//	                    sizes and SHA-256 hashes
//	bin:DIR             a folder of other shards: *train*.bin and *val*.bin
//	bin:FILE or GLOB    shards (nanogpt or llm.c, detected per file) read as
//	                    training tokens; ?val=GLOB names validation shards,
//	                    else the last ValFraction of the tokens is held out;
//	                    ?vocab=N checks ids and sets VocabSize
//	synthetic:KIND      a Synthetic source (SyntheticKinds); parameters
//	                    train=TOKENS (default 16777216), val=TOKENS (default
//	                    262144), doc=TOKENS per document (default 2048) and
//	                    seed=N (default 1)
//
// Text sources are read into memory, split with Split, tokenized with the
// tokenizer (trained on the training documents for bpe) and joined with
// Tokenize: the same streams that Prepare writes for the same source and
// options. Synthetic training documents are indices 0, 1, ... and
// validation documents indices 2^62, 2^62+1, ..., so the two never share a
// document; each stream joins its documents with the source's end-of-text
// id. The synthetic seed belongs to the spec, not to DatasetOptions.Seed,
// so runs with different training seeds see the same process.
func LoadDataset(spec string, opts DatasetOptions) (*Dataset, error) {
	s, err := parseSpec(spec)
	if err != nil {
		return nil, err
	}
	if !(opts.ValFraction >= 0 && opts.ValFraction < 1) {
		return nil, fmt.Errorf("load data %q: validation fraction %v outside [0, 1)", spec, opts.ValFraction)
	}
	switch s.kind {
	case "bin":
		return loadBin(s, opts)
	case "synthetic":
		return loadSynthetic(s, opts)
	}
	return loadText(s, opts)
}

// loadText reads a text source into memory, splits, tokenizes.
func loadText(s sourceSpec, opts DatasetOptions) (*Dataset, error) {
	choice, err := parseTokenizerSpec(opts.Tokenizer)
	if err != nil {
		return nil, err
	}
	src, err := openSpec(s, opts.Source)
	if err != nil {
		return nil, err
	}
	c := &Corpus{Name: s.raw}
	if _, err := src.Each(func(d Doc) error {
		c.Docs = append(c.Docs, d.Text)
		return nil
	}); err != nil {
		return nil, err
	}
	trainDocs, valDocs, err := Split(c, opts.ValFraction, opts.Seed)
	if err != nil {
		return nil, fmt.Errorf("load data %q: %w", s.raw, err)
	}
	var tok *Tokenizer
	if choice.kind == "bpe" {
		if tok, err = TrainBPE(trainDocs, choice.vocab); err != nil {
			return nil, fmt.Errorf("load data %q: train tokenizer %s: %w", s.raw, choice.spec, err)
		}
	} else if tok, err = choice.load(); err != nil {
		return nil, err
	}
	d := &Dataset{
		Tokenizer: tok,
		VocabSize: tok.VocabSize(),
		Train:     Tokenize(tok, trainDocs, opts.Workers),
		Val:       Tokenize(tok, valDocs, opts.Workers),
	}
	valBytes := (&Corpus{Docs: valDocs}).Bytes()
	if len(d.Val) > 0 {
		d.ValBytesPerToken = float64(valBytes) / float64(len(d.Val))
	}
	d.Description = fmt.Sprintf("%s: %d documents (%d train, %d validation), %d + %d tokens, tokenizer %s (%d ids)",
		s.raw, len(c.Docs), len(trainDocs), len(valDocs), len(d.Train), len(d.Val), choice.spec, d.VocabSize)
	return d, nil
}
