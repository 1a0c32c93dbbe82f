// Command eval scores text with a model folder and prints one JSON object:
// the mean next-token loss in nats over every predicted token, the number
// of tokens, the perplexity, and (when the model has a tokenizer) the bytes
// scored and the bits per byte.
//
//	go run ./cmd/eval -model runs/default/model -text book.txt -stride 128
//	go run ./cmd/eval -model runs/default/model -builtin-val
//	go run ./cmd/eval -model DIR -ids seqs.json -dump-logits logits.safetensors
//
// -text and -builtin-val score one long token stream with a sliding window
// of -window tokens moved by -stride (each token predicted once, with at
// least window-stride tokens of context), -batch windows per forward pass.
// -builtin-val scores the validation split of the built-in corpus as
// cmd/train makes it (same -val-frac and -split-seed). -ids scores a JSON
// list of token-id lists of one length; -dump-logits then also writes their
// logits, [batch, seq, vocab], as the tensor "logits" of a safetensors file
// (with the ids as "input_ids"), for comparison with another implementation.
// -data SOURCE scores the validation split of any data source cmd/train
// reads (gosrc, dir:PATH, bin:PATH, ...), split as cmd/train splits it
// (same -val-frac and -split-seed), tokenised with the model's tokenizer.
// -encode prints the token ids of a text file as a JSON list instead
// (scripts/hf_check.py compares them with Hugging Face tokenizers').
//
// Text is plain text by default: "<|endoftext|>" in it is just those
// characters, as in training data; -special parses special tokens' names
// as the tokens, as Hugging Face's tokenizers do. -tokenizer gives a
// tokenizer.json or llama2.c tokenizer.bin for a model that has none (a
// llama2.c checkpoint).
//
// -by-position prints instead the mean loss at each position of the window
// (1 to -window tokens of context) over consecutive windows of the text, at
// most -max-windows of them: how much a model gains from context, the
// comparison of Kaplan et al. (2020, figure 20).
//
//	go run ./cmd/eval -model runs/lstm/model -data gosrc -by-position -window 128
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/infer"
	"github.com/plateau-lab/plateau/kernels/devices"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/model/safetensors"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "eval:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	dir := fs.String("model", "", "model folder (config.json, model.safetensors[, tokenizer.json]) or llama2.c checkpoint (.bin)")
	textFile := fs.String("text", "", "text file to score (needs the model's tokenizer)")
	builtinVal := fs.Bool("builtin-val", false, "score the validation split of the built-in corpus (needs the model's tokenizer)")
	source := fs.String("data", "", "score the validation split of this data source (as cmd/train's -data; needs the model's tokenizer)")
	valFrac := fs.Float64("val-frac", 0.05, "with -builtin-val or -data: the validation fraction cmd/train used")
	splitSeed := fs.Uint64("split-seed", 1, "with -builtin-val or -data: the -seed cmd/train used")
	byPosition := fs.Bool("by-position", false, "print the mean loss at each position of the window instead (consecutive windows of -window+1 tokens)")
	maxWindows := fs.Int("max-windows", 0, "with -by-position: score at most this many windows (0: all)")
	idsFile := fs.String("ids", "", "JSON file: a list of token-id lists of one length")
	window := fs.Int("window", 0, "tokens per window (0: max_position_embeddings)")
	stride := fs.Int("stride", 0, "tokens between window starts (0: the window)")
	batch := fs.Int("batch", 4, "windows per forward pass")
	dump := fs.String("dump-logits", "", "with -ids: write the logits to this safetensors file")
	encode := fs.String("encode", "", "print the token ids of this text file as a JSON list, and nothing else")
	tokPath := fs.String("tokenizer", "", "tokenizer.json or llama2.c tokenizer.bin to use (default: the folder's tokenizer.json)")
	special := fs.Bool("special", false, "parse special tokens' names in the text (<|endoftext|>, <s>, ...) as those tokens, as Hugging Face does; default: plain text")
	var devFlags devices.Flags
	devFlags.Register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	modes := 0
	for _, set := range []bool{*textFile != "", *builtinVal, *source != "", *idsFile != "", *encode != ""} {
		if set {
			modes++
		}
	}
	if *dir == "" || modes != 1 {
		return errors.New("flag -model and exactly one of -text, -builtin-val, -data, -ids and -encode are required")
	}
	if *byPosition && (*idsFile != "" || *encode != "") {
		return errors.New("flag -by-position needs a text: -text, -builtin-val or -data")
	}
	if *dump != "" && *idsFile == "" {
		return errors.New("flag -dump-logits needs -ids")
	}
	dev, err := devFlags.Open()
	if err != nil {
		return err
	}
	defer dev.Close()
	m, err := infer.Open(dev, *dir)
	if err != nil {
		return err
	}
	defer m.Close()
	if *tokPath != "" {
		if err := m.LoadTokenizer(*tokPath); err != nil {
			return fmt.Errorf("flag -tokenizer: %w", err)
		}
	}
	if *encode != "" {
		if m.Tokenizer == nil {
			return errors.New("flag -encode: the model has no tokenizer.json")
		}
		text, err := os.ReadFile(*encode)
		if err != nil {
			return fmt.Errorf("flag -encode: %w", err)
		}
		ids := m.Tokenizer.Encode(text)
		if *special {
			ids = m.Tokenizer.EncodeSpecial(text)
		}
		return json.NewEncoder(stdout).Encode(ids)
	}
	var s infer.Score
	if *idsFile != "" {
		s, err = scoreIDs(m, *idsFile, *dump)
	} else {
		var tokens []int32
		if *source != "" {
			tokens, err = sourceTokens(*dir, m, *source, *valFrac, *splitSeed)
		} else {
			tokens, err = textTokens(m, *textFile, *special, *valFrac, *splitSeed)
		}
		if err != nil {
			return err
		}
		if *byPosition {
			ps, err := m.LossByPosition(tokens, *window, *maxWindows, *batch)
			if err != nil {
				return err
			}
			return json.NewEncoder(stdout).Encode(ps)
		}
		s, err = m.ScoreText(tokens, infer.ScoreOptions{Window: *window, Stride: *stride, Batch: *batch})
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(s)
}

// textTokens returns the token stream of the -text file (after a begin
// token, for a tokenizer that has one) or, when path is empty, of the
// built-in corpus's validation split.
func textTokens(m *infer.Model, path string, special bool, valFrac float64, seed uint64) ([]int32, error) {
	if m.Tokenizer == nil {
		return nil, errors.New("the model has no tokenizer.json: score token ids with -ids instead")
	}
	if path != "" {
		text, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("flag -text: %w", err)
		}
		return m.EncodePrompt(text, special), nil
	}
	corpus, err := data.Builtin()
	if err != nil {
		return nil, err
	}
	_, val, err := data.Split(corpus, valFrac, seed)
	if err != nil {
		return nil, fmt.Errorf("flag -val-frac: %w", err)
	}
	return data.Tokenize(m.Tokenizer, val, 0), nil
}

// sourceTokens returns the validation split of a data source, tokenised
// with the model's tokenizer.json, split as cmd/train splits it.
func sourceTokens(dir string, m *infer.Model, source string, valFrac float64, seed uint64) ([]int32, error) {
	if m.Tokenizer == nil {
		return nil, errors.New("flag -data: the model has no tokenizer.json")
	}
	ds, err := data.LoadDataset(source, data.DatasetOptions{Tokenizer: filepath.Join(dir, model.TokenizerFile), ValFraction: valFrac, Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("flag -data: %w", err)
	}
	return ds.Val, nil
}

// scoreIDs scores the sequences of an -ids file and, when dump is set,
// writes their logits.
func scoreIDs(m *infer.Model, path, dump string) (infer.Score, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return infer.Score{}, fmt.Errorf("flag -ids: %w", err)
	}
	var seqs [][]int32
	if err := json.Unmarshal(raw, &seqs); err != nil {
		return infer.Score{}, fmt.Errorf("flag -ids %s: want a JSON list of lists of token ids: %w", path, err)
	}
	s, err := m.Score(seqs)
	if err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	if dump == "" {
		return s, nil
	}
	logits, err := m.Logits(seqs)
	if err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	ids := make([]float32, 0, len(seqs)*len(seqs[0]))
	for _, q := range seqs {
		for _, id := range q {
			ids = append(ids, float32(id))
		}
	}
	b, n := len(seqs), len(seqs[0])
	tensors := []safetensors.Tensor{
		{Name: "logits", Shape: []int{b, n, m.Config.VocabSize}, Data: logits},
		{Name: "input_ids", Shape: []int{b, n}, Data: ids},
	}
	if err := safetensors.WriteFile(dump, tensors, map[string]string{"producer": "plateau cmd/eval"}); err != nil {
		return s, fmt.Errorf("flag -dump-logits: %w", err)
	}
	return s, nil
}
