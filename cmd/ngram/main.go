// Command ngram fits the count-based baseline, interpolated Kneser-Ney
// n-gram models (package ngram), at a list of token budgets D and scores
// each on held-out windows, in nats per token and bits per byte: the
// classic model whose loss flattens as data grows, beside the neural
// families in cmd/fit's report.
//
//	go run ./cmd/ngram -sweep runs/arch-cpu/transformer          # the budgets and data of a sweep
//	go run ./cmd/ngram -data gosrc -tokenizer bpe:1024 -tokens 1M,4M -out ngram.csv
//
// A model of budget D is fitted on exactly the windows a neural run of
// that budget trains on: the first D/seq windows of seq+1 tokens in the
// batcher's order for the seed (data.Batcher), drawn from the same
// training split, so the comparison is at equal data. It is scored on the
// windows of the runs' final evaluation (data.ValBatches with their batch
// and count), each token predicted from the tokens before it in its window
// as a neural model sees them. -sweep DIR takes all of this (data,
// tokenizer, split, seed, window, batch, evaluation batches, the budgets
// of its points) from the sweep's plan.json and tokenizer.json, and writes
// DIR/ngram.csv. Every order from 1 to -order is fitted at every budget.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/internal/atomicfile"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/ngram"
	"github.com/plateau-lab/plateau/scaling"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "ngram:", err)
		os.Exit(1)
	}
}

// settings are what the fits need: where the data comes from, how it is
// cut, which budgets and orders.
type settings struct {
	source, tokenizer string
	valFrac           float64
	seed              uint64
	seq, batch        int
	evalBatches       int
	unique            int64
	tokens            []float64
	order             int
	out               string
}

func run(args []string, log io.Writer) error {
	fs := flag.NewFlagSet("ngram", flag.ContinueOnError)
	fs.SetOutput(log)
	sweep := fs.String("sweep", "", "a sweep folder: take data, tokenizer, windows and budgets from its plan.json, write DIR/ngram.csv")
	s := settings{}
	fs.StringVar(&s.source, "data", "builtin", "training data, as cmd/train's -data")
	fs.StringVar(&s.tokenizer, "tokenizer", "bpe:1024", "bpe:VOCAB (trained on the training split), gpt2 or a tokenizer.json")
	fs.Float64Var(&s.valFrac, "val-frac", 0.05, "fraction of documents held out")
	fs.Uint64Var(&s.seed, "seed", 1, "seed of the split and of the windows' order")
	fs.IntVar(&s.seq, "seq", 128, "tokens per window (plus the one it predicts last)")
	fs.IntVar(&s.batch, "batch", 32, "windows per evaluation batch (as the runs' micro-batch)")
	fs.IntVar(&s.evalBatches, "eval-batches", 32, "evaluation batches (as the runs' final evaluation)")
	tokens := fs.String("tokens", "1M", "token budgets D, comma separated (0.5M, 2e6, ...)")
	fs.IntVar(&s.order, "order", ngram.MaxOrder, fmt.Sprintf("highest order n (1..%d); every order from 1 is fitted", ngram.MaxOrder))
	fs.StringVar(&s.out, "out", "", "CSV file of the points (with -sweep: DIR/ngram.csv)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if s.order < 1 || s.order > ngram.MaxOrder {
		return fmt.Errorf("flag -order %d: want 1..%d", s.order, ngram.MaxOrder)
	}
	if *sweep != "" {
		if err := fromSweep(&s, *sweep); err != nil {
			return err
		}
	} else {
		qs, err := scaling.ParseQuantities(*tokens)
		if err != nil {
			return fmt.Errorf("flag -tokens: %w", err)
		}
		for _, q := range qs {
			s.tokens = append(s.tokens, float64(q))
		}
	}
	if s.out == "" {
		return errors.New("flag -out: want the CSV file to write (or -sweep DIR)")
	}
	points, err := fitAll(s, log)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(s.out, func(w io.Writer) error { return ngram.WritePoints(w, points) }); err != nil {
		return err
	}
	fmt.Fprintf(log, "wrote %d points to %s\n", len(points), s.out)
	return nil
}

// fromSweep fills s from the sweep folder dir: its plan's data and
// settings, the token budgets its points train, the tokenizer it kept.
func fromSweep(s *settings, dir string) error {
	p, err := scaling.ReadPlan(filepath.Join(dir, "plan.json"))
	if err != nil {
		return fmt.Errorf("flag -sweep: %w", err)
	}
	e, err := p.Expand()
	if err != nil {
		return fmt.Errorf("flag -sweep %s: %w", dir, err)
	}
	c := e.Points[0]
	s.source, s.tokenizer, s.valFrac, s.seed = p.Data, p.Tokenizer, p.ValFrac, p.Seed
	s.seq, s.batch, s.unique = c.Seq, c.Batch, c.UniqueTokens
	s.evalBatches = max(c.EvalBatches, c.FinalEvalBatches)
	if kept := filepath.Join(dir, model.TokenizerFile); strings.HasPrefix(p.Tokenizer, "bpe:") {
		if _, err := os.Stat(kept); err != nil {
			return fmt.Errorf("flag -sweep: %s: %w (run the sweep first: it trains and keeps the tokenizer)", kept, err)
		}
		s.tokenizer = kept
	}
	s.tokens = nil
	for _, pt := range e.Points {
		if d := float64(pt.Tokens); !slices.Contains(s.tokens, d) {
			s.tokens = append(s.tokens, d)
		}
	}
	slices.Sort(s.tokens)
	if s.out == "" {
		s.out = filepath.Join(dir, "ngram.csv")
	}
	return nil
}

// fitAll loads the data and fits and scores every order at every budget.
func fitAll(s settings, log io.Writer) ([]ngram.Point, error) {
	fmt.Fprintf(log, "loading %s (tokenizer %s)\n", s.source, s.tokenizer)
	ds, err := data.LoadDataset(s.source, data.DatasetOptions{Tokenizer: s.tokenizer, ValFraction: s.valFrac, Seed: s.seed})
	if err != nil {
		return nil, fmt.Errorf("flag -data: %w", err)
	}
	train := ds.Train
	if s.unique > 0 {
		train = train[:min(int(s.unique), len(train))]
	}
	b, err := data.NewBatcher(train, 1, s.seq, s.seed)
	if err != nil {
		return nil, fmt.Errorf("training windows: %w", err)
	}
	vb, err := data.ValBatches(ds.Val, s.batch, s.seq, s.evalBatches)
	if err != nil {
		return nil, fmt.Errorf("validation windows: %w", err)
	}
	val := make([][]int32, 0, len(vb)*s.batch)
	for _, v := range vb {
		for r := range s.batch {
			val = append(val, window(v.IDs[r*s.seq:(r+1)*s.seq], v.Targets[(r+1)*s.seq-1]))
		}
	}
	fmt.Fprintf(log, "data: %s; %d held-out windows of %d tokens\n", ds.Description, len(val), s.seq+1)
	var points []ngram.Point
	for _, d := range s.tokens {
		n := int(math.Round(d / float64(s.seq)))
		if n < 1 {
			return nil, fmt.Errorf("flag -tokens: %s tokens are less than one window of %d", scaling.FormatQuantity(d), s.seq)
		}
		windows := make([][]int32, n)
		ids, tgt := make([]int32, s.seq), make([]int32, s.seq)
		for j := range windows {
			if err := b.Batch(j, ids, tgt); err != nil {
				return nil, err
			}
			windows[j] = window(ids, tgt[s.seq-1])
		}
		for order := 1; order <= s.order; order++ {
			t0 := time.Now()
			m, err := ngram.Fit(windows, order, ds.VocabSize)
			if err != nil {
				return nil, err
			}
			loss, _ := m.Loss(val)
			p := ngram.Point{Order: order, Tokens: float64(m.Tokens), Loss: loss, Grams: m.Grams()}
			if ds.ValBytesPerToken > 0 {
				p.BPB = loss / math.Ln2 / ds.ValBytesPerToken
			}
			points = append(points, p)
			fmt.Fprintf(log, "D %s, order %d: %d n-grams, held-out loss %.4f (%.3f bpb) in %s\n",
				scaling.FormatQuantity(p.Tokens), order, p.Grams, loss, p.BPB, time.Since(t0).Round(10*time.Millisecond))
		}
	}
	return points, nil
}

// window is a training or evaluation window: the inputs and the token the
// last one predicts.
func window(ids []int32, last int32) []int32 {
	return append(slices.Clone(ids), last)
}
