// Command train trains a Llama-style model on one device and writes a run
// folder: metrics.jsonl and model/, a Hugging Face model folder that is also
// the checkpoint -resume continues from.
//
//	go run ./cmd/train                       # n2m on the built-in corpus, a few minutes on 2 cores
//	go run ./cmd/train -preset n2m -steps 2000 -out runs/n2m
//	go run ./cmd/train -out runs/n2m -resume # continue an interrupted run
//
// A run killed at any moment resumes with -resume from its last complete
// checkpoint (docs/guarantees.md). A NaN or infinite loss or gradient stops
// the run and the command exits with status 3 (other failures exit 1), so
// that a sweep can mark the run as diverged; -on-nan skip instead drops
// such batches, lowering the learning rate, up to -nan-max-skips of them.
//
// For crash tests only: when the environment variable
// PLATEAU_TEST_SLOW_WRITES holds a duration ("50ms"), every file the run
// writes waits that long before it is created, so that a test can kill the
// process while a checkpoint is being written. Unset, it does nothing.
package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/kernels/devices"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/train"
)

// exitDiverged is the exit status of a run stopped by a NaN or infinite
// loss or gradient.
const exitDiverged = 3

func main() {
	err := run(os.Args[1:])
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "train:", err)
	}
	os.Exit(exitStatus(err))
}

// exitStatus is the command's exit status after run returned err: 0 for
// success (and -help), exitDiverged for a diverged run, 1 otherwise.
func exitStatus(err error) int {
	switch d := (*train.DivergedError)(nil); {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &d):
		return exitDiverged
	}
	return 1
}

type flags struct {
	preset, arch, config, source string
	tokenizer                    string
	vocab                        int
	valFrac                      float64
	batch, seq, accum, steps     int
	tokens, unique               int64
	lr, minLR                    float64
	warmup                       int
	schedule                     string
	wsdDecay                     float64
	wd, clip, beta1, beta2       float64
	seed                         uint64
	evalEvery, evalBatches       int
	finalEvalBatches             int
	saveEvery, logEvery          int
	out                          string
	resume                       bool
	onNaN                        string
	nanLRFactor                  float64
	nanMaxSkips                  int
	dev                          devices.Flags
}

func parse(args []string) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.StringVar(&f.preset, "preset", "n2m", "model preset: "+strings.Join(model.AllPresetNames(), ", "))
	fs.StringVar(&f.arch, "arch", "", "model family: "+strings.Join(model.FamilyNames(), " or ")+"; the preset of that family on -preset's rung (lstm2m for n2m); default the preset's own")
	fs.StringVar(&f.config, "config", "", "a Hugging Face config.json to train instead of a preset")
	fs.StringVar(&f.source, "data", "builtin", "training data: builtin (public-domain prose shipped with plateau), gosrc (the Go tree's *.go files), dir:PATH, jsonl:PATH, bin:PATH (shards or a cmd/prepare folder), synthetic:KIND ("+strings.Join(data.SyntheticKinds(), ", ")+")")
	fs.StringVar(&f.tokenizer, "tokenizer", "", "gpt2 or a tokenizer.json to use instead of training a byte-level BPE of -vocab tokens")
	fs.IntVar(&f.vocab, "vocab", 1024, "vocabulary size of the BPE tokenizer trained on the data")
	fs.Float64Var(&f.valFrac, "val-frac", 0.05, "fraction of documents held out for validation")
	fs.IntVar(&f.batch, "batch", 16, "sequences per micro-batch")
	fs.IntVar(&f.seq, "seq", 256, "tokens per sequence")
	fs.IntVar(&f.accum, "accum", 1, "micro-batches per optimizer step (gradient accumulation)")
	fs.IntVar(&f.steps, "steps", 600, "optimizer steps (ignored when -tokens is set)")
	fs.Int64Var(&f.tokens, "tokens", 0, "token budget D: steps = tokens / (batch*seq*accum)")
	fs.Int64Var(&f.unique, "unique", 0, "unique tokens U the run draws from (the first U training tokens); a budget above U repeats them in epochs (0: all)")
	fs.Float64Var(&f.lr, "lr", 3e-3, "peak learning rate")
	fs.Float64Var(&f.minLR, "min-lr", 3e-4, "learning rate at the end of the decay")
	fs.IntVar(&f.warmup, "warmup", 60, "linear warmup steps")
	fs.StringVar(&f.schedule, "schedule", "cosine", "learning rate schedule: "+strings.Join(train.Schedules, ", "))
	fs.Float64Var(&f.wsdDecay, "wsd-decay", 0.2, "fraction of steps the wsd schedule spends decaying")
	fs.Float64Var(&f.wd, "wd", train.DefaultAdamW.WeightDecay, "AdamW weight decay (matrices and embeddings only)")
	fs.Float64Var(&f.clip, "clip", train.DefaultAdamW.ClipNorm, "global gradient-norm clip (0: off)")
	fs.Float64Var(&f.beta1, "beta1", train.DefaultAdamW.Beta1, "AdamW beta1")
	fs.Float64Var(&f.beta2, "beta2", train.DefaultAdamW.Beta2, "AdamW beta2")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the initialisation and the batch order")
	fs.IntVar(&f.evalEvery, "eval-every", 100, "steps between validation passes")
	fs.IntVar(&f.evalBatches, "eval-batches", 8, "validation batches per pass")
	fs.IntVar(&f.finalEvalBatches, "final-eval-batches", 0, "validation batches of the evaluation at the end of the run (0: -eval-batches)")
	fs.IntVar(&f.saveEvery, "save-every", 200, "steps between checkpoints")
	fs.IntVar(&f.logEvery, "log-every", 10, "steps between progress lines")
	fs.StringVar(&f.out, "out", "runs/default", "run folder")
	fs.BoolVar(&f.resume, "resume", false, "continue from the checkpoint in -out")
	fs.StringVar(&f.onNaN, "on-nan", "stop", "a NaN or infinite loss or gradient: stop (exit status 3) or skip (drop the batch, lower the learning rate)")
	fs.Float64Var(&f.nanLRFactor, "nan-lr-factor", train.DefaultNaNLRFactor, "with -on-nan skip: learning-rate multiplier at each skipped batch")
	fs.IntVar(&f.nanMaxSkips, "nan-max-skips", train.DefaultNaNMaxSkips, "with -on-nan skip: batches a run may skip before it stops")
	f.dev.Register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if f.onNaN != "stop" && f.onNaN != "skip" {
		return nil, fmt.Errorf("flag -on-nan %q: want stop or skip", f.onNaN)
	}
	if !(f.nanLRFactor > 0 && f.nanLRFactor <= 1) {
		return nil, fmt.Errorf("flag -nan-lr-factor %v: want 0 < factor <= 1", f.nanLRFactor)
	}
	if f.nanMaxSkips < 1 {
		return nil, fmt.Errorf("flag -nan-max-skips %d: want at least 1", f.nanMaxSkips)
	}
	return f, nil
}

func run(args []string) error {
	f, err := parse(args)
	if err != nil {
		return err
	}
	log := os.Stderr
	dev, err := f.dev.Open()
	if err != nil {
		return err
	}
	defer dev.Close()

	// Everything the flags alone decide is checked before the data loads.
	cfg, err := modelConfig(f)
	if err != nil {
		return err
	}
	steps := f.steps
	if f.tokens > 0 {
		steps = int(f.tokens / int64(f.batch*f.seq*f.accum))
		if steps < 1 {
			return fmt.Errorf("flag -tokens %d is less than one step of %d tokens (batch x seq x accum)", f.tokens, f.batch*f.seq*f.accum)
		}
	}
	if f.seq > cfg.MaxPositionEmbeddings {
		return fmt.Errorf("flag -seq %d is longer than the model's max_position_embeddings %d", f.seq, cfg.MaxPositionEmbeddings)
	}
	opt := train.Options{
		Batch: f.batch, Seq: f.seq, Accum: f.accum, Steps: steps,
		Schedule:  train.Schedule{Kind: f.schedule, LR: f.lr, MinLR: f.minLR, Warmup: min(f.warmup, steps), Steps: steps, DecayFrac: f.wsdDecay},
		AdamW:     train.AdamW{Beta1: f.beta1, Beta2: f.beta2, Eps: 1e-8, WeightDecay: f.wd, ClipNorm: f.clip},
		Seed:      f.seed,
		EvalEvery: f.evalEvery, EvalBatches: f.evalBatches, FinalEvalBatches: f.finalEvalBatches, SaveEvery: f.saveEvery, LogEvery: f.logEvery,
		Out: f.out, Resume: f.resume, Log: log,
		OnNaN: train.NaNPolicy{Skip: f.onNaN == "skip", LRFactor: f.nanLRFactor, MaxSkips: f.nanMaxSkips},
	}
	if opt.OpenFile, err = slowWrites(os.Getenv(slowWritesEnv)); err != nil {
		return err
	}
	if f.tokenizer == "" && f.vocab < 257 {
		return fmt.Errorf("flag -vocab %d: a byte-level BPE needs at least 257 tokens (256 bytes and end-of-text)", f.vocab)
	}
	if f.unique < 0 {
		return fmt.Errorf("flag -unique %d: want a number of tokens >= 0", f.unique)
	}
	if err := opt.Schedule.Validate(); err != nil {
		return fmt.Errorf("flags -schedule, -lr, -min-lr, -warmup: %w", err)
	}
	if err := opt.AdamW.Validate(); err != nil {
		return err
	}
	ds, err := loadData(f)
	if err != nil {
		return err
	}
	if f.unique > int64(len(ds.Train)) {
		return fmt.Errorf("flag -unique %d: the training split has only %d tokens", f.unique, len(ds.Train))
	}
	opt.UniqueTokens = int(f.unique)
	if f.config == "" {
		cfg.VocabSize = ds.VocabSize
	} else if cfg.VocabSize < ds.VocabSize {
		return fmt.Errorf("flag -config %s: vocab_size %d is smaller than the data's %d token ids", f.config, cfg.VocabSize, ds.VocabSize)
	}
	fmt.Fprintf(log, "model: %s\n", describeModel(cfg, f.seq))
	fmt.Fprintf(log, "data: %s; %d train tokens, %d validation tokens; %d steps of %d tokens = %d tokens\n",
		ds.Description, len(ds.Train), len(ds.Val), steps, f.batch*f.seq*f.accum, int64(steps)*int64(f.batch*f.seq*f.accum))
	if ds.EntropyRate > 0 {
		fmt.Fprintf(log, "data: the source's entropy rate, the lowest loss any model can reach, is %.4f nats/token\n", ds.EntropyRate)
	}
	fmt.Fprintf(log, "device: %s, GOMAXPROCS %d\n", dev.Name(), runtime.GOMAXPROCS(0))
	d := train.Data{Train: ds.Train, Val: ds.Val, ValBytesPerToken: ds.ValBytesPerToken, Tokenizer: ds.Tokenizer}
	tr, err := train.New(dev, cfg, d, opt)
	if err != nil {
		return err
	}
	defer tr.Close()
	res, err := tr.Run()
	if err != nil {
		return err
	}
	val := fmt.Sprintf("%.4f", res.ValLoss)
	if !math.IsNaN(res.FirstVal) {
		val = fmt.Sprintf("%.4f -> %s", res.FirstVal, val)
	}
	if res.ValBPB > 0 {
		val += fmt.Sprintf(" (%.3f bits/byte)", res.ValBPB)
	}
	fmt.Fprintf(log, "done: %d steps, %d tokens (%.2f epochs) in %s (%.0f tok/s); val loss %s; model in %s\n",
		res.Steps, res.Tokens, res.Epochs, time.Duration(res.WallS*float64(time.Second)).Round(time.Second), res.TokensPerS,
		val, train.ModelDir(f.out))
	return nil
}

// describeModel is the log line that says what is trained.
func describeModel(c model.Config, seq int) string {
	shape := fmt.Sprintf("d %d, %d layers, %d/%d heads", c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads)
	if c.Family == model.LSTM {
		shape = fmt.Sprintf("LSTM, d %d, %d layers", c.HiddenSize, c.NumHiddenLayers)
	}
	return fmt.Sprintf("%d params (%d non-embedding), %s, vocab %d, %.2f MFLOP/token",
		c.Params(), c.NonEmbeddingParams(), shape, c.VocabSize, c.FLOPsPerToken(seq)/1e6)
}

// modelConfig is the -config file or the preset (of -arch's family); a
// preset's vocabulary is set once the tokenizer is known.
func modelConfig(f *flags) (model.Config, error) {
	if f.config != "" {
		file, err := os.Open(f.config)
		if err != nil {
			return model.Config{}, fmt.Errorf("flag -config: %w", err)
		}
		defer file.Close()
		c, err := model.ReadConfig(file)
		if err != nil {
			return model.Config{}, fmt.Errorf("flag -config %s: %w", f.config, err)
		}
		return c, nil
	}
	name := f.preset
	if f.arch != "" {
		fam, err := model.ParseFamily(f.arch)
		if err != nil {
			return model.Config{}, fmt.Errorf("flag -arch: %w", err)
		}
		if name, err = model.MatchedPreset(f.preset, fam); err != nil {
			return model.Config{}, fmt.Errorf("flag -preset: %w", err)
		}
	}
	c, err := model.Preset(name, f.vocab, max(f.seq, 256))
	if err != nil {
		return c, fmt.Errorf("flag -preset: %w", err)
	}
	return c, nil
}
