package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/train"
)

// loadData reads the corpus, splits it by document, gets a tokenizer (the
// one of the run being resumed, a -tokenizer file, or a BPE trained on the
// training documents) and tokenises both splits.
func loadData(f *flags) (train.Data, error) {
	var corpus *data.Corpus
	var err error
	switch f.source {
	case "builtin":
		corpus, err = data.Builtin()
	default:
		return train.Data{}, fmt.Errorf("flag -data %q: want builtin", f.source)
	}
	if err != nil {
		return train.Data{}, err
	}
	trainDocs, valDocs, err := data.Split(corpus, f.valFrac, f.seed)
	if err != nil {
		return train.Data{}, err
	}
	tok, err := tokenizer(f, trainDocs)
	if err != nil {
		return train.Data{}, err
	}
	d := train.Data{Tokenizer: tok}
	workers := runtime.GOMAXPROCS(0)
	d.Train = data.Tokenize(tok, trainDocs, workers)
	d.Val = data.Tokenize(tok, valDocs, workers)
	valBytes := 0
	for _, doc := range valDocs {
		valBytes += len(doc)
	}
	if len(d.Val) > 0 {
		d.ValBytesPerToken = float64(valBytes) / float64(len(d.Val))
	}
	return d, nil
}

func tokenizer(f *flags, docs [][]byte) (*data.Tokenizer, error) {
	resumed := filepath.Join(train.ModelDir(f.out), model.TokenizerFile)
	if f.resume {
		if _, err := os.Stat(resumed); err == nil {
			return data.LoadTokenizer(resumed)
		}
	}
	if f.tokenizer != "" {
		tok, err := data.LoadTokenizer(f.tokenizer)
		if err != nil {
			return nil, fmt.Errorf("flag -tokenizer: %w", err)
		}
		return tok, nil
	}
	tok, err := data.TrainBPE(docs, f.vocab)
	if err != nil {
		return nil, fmt.Errorf("flag -vocab: %w", err)
	}
	return tok, nil
}
