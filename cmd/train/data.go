package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/internal/atomicfile"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/train"
)

// loadData loads the -data source with data.LoadDataset: text is split by
// document and tokenised (with the tokenizer of the run being resumed, the
// -tokenizer, or a BPE of -vocab tokens trained on the training documents),
// prepared shards are read and checked against their manifest, synthetic
// sources are generated.
func loadData(f *flags) (*data.Dataset, error) {
	tok, err := tokenizerSpec(f)
	if err != nil {
		return nil, err
	}
	ds, err := data.LoadDataset(f.source, data.DatasetOptions{
		Tokenizer:   tok,
		ValFraction: f.valFrac,
		Seed:        f.seed,
	})
	if err != nil {
		return nil, fmt.Errorf("flag -data: %w", err)
	}
	return ds, nil
}

// tokenizerSpec says which tokenizer LoadDataset uses: the resumed run's,
// the -tokenizer flag's (gpt2 or a tokenizer.json), or bpe:VOCAB. Before it
// looks for the resumed run's, it puts back the complete old checkpoint if
// the run was killed between the two renames of a checkpoint save.
func tokenizerSpec(f *flags) (string, error) {
	if f.resume {
		dir := train.ModelDir(f.out)
		if err := atomicfile.Recover(dir); err != nil {
			return "", fmt.Errorf("flag -resume: %w", err)
		}
		resumed := filepath.Join(dir, model.TokenizerFile)
		if _, err := os.Stat(resumed); err == nil {
			return resumed, nil
		}
	}
	if f.tokenizer != "" {
		return f.tokenizer, nil
	}
	return "bpe:" + strconv.Itoa(f.vocab), nil
}
