package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/train"
)

// loadData loads the -data source with data.LoadDataset: text is split by
// document and tokenised (with the tokenizer of the run being resumed, the
// -tokenizer, or a BPE of -vocab tokens trained on the training documents),
// prepared shards are read and checked against their manifest, synthetic
// sources are generated.
func loadData(f *flags) (*data.Dataset, error) {
	ds, err := data.LoadDataset(f.source, data.DatasetOptions{
		Tokenizer:   tokenizerSpec(f),
		ValFraction: f.valFrac,
		Seed:        f.seed,
	})
	if err != nil {
		return nil, fmt.Errorf("flag -data: %w", err)
	}
	return ds, nil
}

// tokenizerSpec says which tokenizer LoadDataset uses: the resumed run's,
// the -tokenizer flag's (gpt2 or a tokenizer.json), or bpe:VOCAB.
func tokenizerSpec(f *flags) string {
	resumed := filepath.Join(train.ModelDir(f.out), model.TokenizerFile)
	if f.resume {
		if _, err := os.Stat(resumed); err == nil {
			return resumed
		}
	}
	if f.tokenizer != "" {
		return f.tokenizer
	}
	return "bpe:" + strconv.Itoa(f.vocab)
}
