package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/kernels/devices"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/scaling"
	"github.com/plateau-lab/plateau/train"
)

// usageError is a bad command line: main exits with status 2.
type usageError struct{ err error }

// Error is the message, which names the flag.
func (u usageError) Error() string { return u.err.Error() }

// Unwrap gives the error inside.
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

// flags are the command line: the plan (a file, or the plan flags), what
// to do with it, the device, and the cluster job's settings.
type flags struct {
	plan     string
	planFlag planFlags
	out      string
	index    int
	emit     string
	dryRun   bool
	rate     float64
	dev      devices.Flags
	cluster  clusterFlags
	set      map[string]bool // the flags given on the command line
}

// planFlags build a plan when -plan is not given.
type planFlags struct {
	presets, arch, tokens, flops     string
	unique                           string
	mode                             string
	decayFrac                        float64
	source, tokenizer                string
	vocab                            int
	valFrac                          float64
	seq, batchTokens, microBatch     int
	lr, lstmLR                       float64
	lrWidth                          int
	minLRFrac, warmupFrac, wd        float64
	lrScan                           bool
	seed                             uint64
	minSteps, evalsPerRun, evalBatch int
	finalEvalBatch                   int
	saves                            int
	onNaN                            string
	nanLRFactor                      float64
	nanMaxSkips                      int
}

// clusterFlags configure -emit.
type clusterFlags struct {
	bin, name, partition, time, image, claim string
	parallelism, cpus                        int
}

// planFlagNames are the flags that define a plan: not allowed with -plan.
var planFlagNames = []string{
	"presets", "arch", "tokens", "flops", "mode", "decay-frac", "data", "tokenizer", "vocab", "val-frac", "seq",
	"batch-tokens", "micro-batch", "lr", "lr-width", "lstm-lr-factor", "min-lr-frac", "warmup-frac", "wd", "lr-scan", "seed",
	"unique", "min-steps", "evals", "eval-batches", "saves", "on-nan", "nan-lr-factor", "nan-max-skips",
}

func parse(args []string, stderr io.Writer) (*flags, error) {
	f := &flags{}
	d := scaling.DefaultPlan()
	h := d.HParams
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.plan, "plan", "", "plan file (JSON, see scaling.Plan); the plan flags below build one instead")
	fs.StringVar(&f.out, "out", "", "sweep folder (required): plan.json, results.csv, runs/NAME/ per run")
	fs.IntVar(&f.index, "index", -1, "run job I of the plan alone (a cluster array task); -1 runs every job")
	fs.StringVar(&f.emit, "emit", "", "write a cluster job into -out instead of training: slurm (job array) or k8s (Indexed Job)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the expanded plan (N, D, C, steps, lr) with its total FLOPs and a time estimate, and train nothing")
	fs.Float64Var(&f.rate, "flops-per-s", 0, "training speed in 6ND FLOP/s for -dry-run's estimate (0: measured on finished runs in -out, else a nominal figure)")

	p := &f.planFlag
	fs.StringVar(&p.presets, "presets", "", "model presets, the N axis, comma-separated: "+strings.Join(model.AllPresetNames(), ", "))
	fs.StringVar(&p.arch, "arch", "", "model families, comma-separated ("+strings.Join(model.FamilyNames(), ", ")+"): each preset is trained as every family's preset of its rung (empty: the presets' own)")
	fs.StringVar(&p.tokens, "tokens", "", "token budgets D, comma-separated (1e6 or 2M style); every preset trains each")
	fs.StringVar(&p.flops, "flops", "", "IsoFLOP budgets C, comma-separated (1e15 or 2T style); each preset trains D = C/(6N)")
	fs.StringVar(&p.mode, "mode", d.Mode, "schedule mode: cosine (a run per point) or wsd (one stable run per preset, decays branched off)")
	fs.Float64Var(&p.decayFrac, "decay-frac", d.DecayFrac, "wsd: fraction of each point's steps spent decaying")
	fs.StringVar(&p.source, "data", d.Data, "training data: builtin, gosrc, dir:PATH, jsonl:PATH, bin:PATH, synthetic:KIND ("+strings.Join(data.SyntheticKinds(), ", ")+")")
	fs.StringVar(&p.tokenizer, "tokenizer", "", "gpt2 or a tokenizer.json instead of a byte-level BPE of -vocab tokens")
	fs.IntVar(&p.vocab, "vocab", 1024, "vocabulary of the BPE trained on the data")
	fs.Float64Var(&p.valFrac, "val-frac", d.ValFrac, "fraction of documents held out for the validation loss")
	fs.IntVar(&p.seq, "seq", d.Seq, "tokens per sequence")
	fs.IntVar(&p.batchTokens, "batch-tokens", h.BatchTokens, "tokens per optimizer step (sequences x seq x accumulation)")
	fs.IntVar(&p.microBatch, "micro-batch", h.MicroBatch, "sequences per forward/backward pass, the rest accumulated (0: the whole batch)")
	fs.Float64Var(&p.lr, "lr", h.BaseLR, "base learning rate, at width -lr-width; a preset of width w gets lr * lr-width / w")
	fs.IntVar(&p.lrWidth, "lr-width", h.BaseWidth, "the width (hidden size) at which -lr applies")
	fs.Float64Var(&p.lstmLR, "lstm-lr-factor", h.LSTMLRFactor, "an LSTM's learning rate is the width rule's times this")
	fs.Float64Var(&p.minLRFrac, "min-lr-frac", h.MinLRFrac, "learning rate at the end of the decay, as a fraction of the peak")
	fs.Float64Var(&p.warmupFrac, "warmup-frac", h.WarmupFrac, "warmup as a fraction of a run's steps (at least 10, at most 1000 steps)")
	fs.Float64Var(&p.wd, "wd", h.WeightDecay, "AdamW weight decay")
	fs.BoolVar(&p.lrScan, "lr-scan", false, "scan 5 learning rates per preset (rule/4 to rule*4) on a short budget and use the best; changes fitted exponents (Porian et al. 2024)")
	fs.Uint64Var(&p.seed, "seed", d.Seed, "seed of initialisation, batch order and data split")
	fs.StringVar(&p.unique, "unique", "", "unique-token cap: runs draw from the first U training tokens, repeating them in epochs (empty: all)")
	fs.IntVar(&p.minSteps, "min-steps", d.MinSteps, "drop budgets that give fewer optimizer steps than this")
	fs.IntVar(&p.evalsPerRun, "evals", d.EvalsPerRun, "validation passes per run (the loss curve's points)")
	fs.IntVar(&p.evalBatch, "eval-batches", d.EvalBatches, "validation batches per pass")
	fs.IntVar(&p.finalEvalBatch, "final-eval-batches", 0, "validation batches of each run's last evaluation, the loss the fits use (0: -eval-batches)")
	fs.IntVar(&p.saves, "saves", d.SavesPerRun, "checkpoints per run: a killed run loses at most 1/saves of its steps (0: only at the end)")
	fs.StringVar(&p.onNaN, "on-nan", "stop", "a NaN or infinite loss or gradient: stop (the run is recorded as diverged) or skip (drop the batch, lower the learning rate)")
	fs.Float64Var(&p.nanLRFactor, "nan-lr-factor", train.DefaultNaNLRFactor, "with -on-nan skip: learning-rate multiplier at each skipped batch")
	fs.IntVar(&p.nanMaxSkips, "nan-max-skips", train.DefaultNaNMaxSkips, "with -on-nan skip: batches a run may skip before it is recorded as diverged")

	c := &f.cluster
	fs.StringVar(&c.bin, "bin", "sweep", "-emit: the sweep binary as the cluster's tasks find it")
	fs.StringVar(&c.name, "job-name", "plateau-sweep", "-emit: the job's name")
	fs.IntVar(&c.parallelism, "parallelism", 0, "-emit: tasks running at once (0: no limit)")
	fs.StringVar(&c.partition, "partition", "", "-emit slurm: partition")
	fs.StringVar(&c.time, "time", "", "-emit slurm: time limit per task, e.g. 24:00:00 (empty: the cluster's default)")
	fs.IntVar(&c.cpus, "cpus", 8, "-emit slurm: CPUs per task")
	fs.StringVar(&c.image, "image", "", "-emit k8s: container image holding the sweep binary (required)")
	fs.StringVar(&c.claim, "claim", "", "-emit k8s: PersistentVolumeClaim holding -out (required)")
	f.dev.Register(fs)

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return f, f.check()
}

// check rejects flags that contradict each other or are out of range.
func (f *flags) check() error {
	switch {
	case f.out == "":
		return usagef("flag -out: required: the sweep folder")
	case f.emit != "" && f.emit != "slurm" && f.emit != "k8s":
		return usagef("flag -emit %q: want slurm or k8s", f.emit)
	case f.emit != "" && f.index >= 0:
		return usagef("flag -emit: not with -index: the emitted job runs every index")
	case f.dryRun && (f.emit != "" || f.index >= 0):
		return usagef("flag -dry-run: not with -emit or -index")
	case f.index < -1:
		return usagef("flag -index %d: want a job number >= 0", f.index)
	case f.rate < 0:
		return usagef("flag -flops-per-s %v: want a speed >= 0", f.rate)
	}
	if f.plan != "" {
		for _, n := range planFlagNames {
			if f.set[n] {
				return usagef("flag -%s: not with -plan, which sets the whole plan; edit the plan file instead", n)
			}
		}
	} else if f.planFlag.presets == "" {
		return usagef("flag -presets: want a comma-separated list of presets (or -plan FILE): %s", strings.Join(model.AllPresetNames(), ", "))
	}
	switch pf := f.planFlag; {
	case pf.onNaN != "stop" && pf.onNaN != "skip":
		return usagef("flag -on-nan %q: want stop or skip", pf.onNaN)
	case pf.onNaN != "skip" && (f.set["nan-lr-factor"] || f.set["nan-max-skips"]):
		return usagef("flag -nan-lr-factor, -nan-max-skips: only with -on-nan skip")
	case pf.nanMaxSkips < 1:
		return usagef("flag -nan-max-skips %d: want at least 1", pf.nanMaxSkips)
	}
	return nil
}

// buildPlan is the plan the flags give: the -plan file, or one built from
// the plan flags; source names it for messages.
func (f *flags) buildPlan() (p scaling.Plan, source string, err error) {
	if f.plan != "" {
		p, err := scaling.ReadPlan(f.plan)
		return p, f.plan, err
	}
	pf := f.planFlag
	p = scaling.DefaultPlan()
	p.Presets = splitList(pf.presets)
	if pf.arch != "" {
		p.Arch = splitList(pf.arch)
	}
	if p.Tokens, err = scaling.ParseQuantities(pf.tokens); err != nil {
		return p, "", usagef("flag -tokens: %v", err)
	}
	if p.FLOPs, err = scaling.ParseQuantities(pf.flops); err != nil {
		return p, "", usagef("flag -flops: %v", err)
	}
	if pf.unique != "" {
		u, err := scaling.ParseQuantity(pf.unique)
		if err != nil {
			return p, "", usagef("flag -unique: %v", err)
		}
		p.UniqueTokens = scaling.Quantity(u)
	}
	p.Mode, p.DecayFrac = pf.mode, pf.decayFrac
	p.Data, p.ValFrac, p.Seq, p.Seed, p.MinSteps = pf.source, pf.valFrac, pf.seq, pf.seed, pf.minSteps
	p.Tokenizer = pf.tokenizer
	if p.Tokenizer == "" {
		p.Tokenizer = "bpe:" + strconv.Itoa(pf.vocab)
	}
	p.EvalsPerRun, p.EvalBatches, p.FinalEvalBatches, p.SavesPerRun = pf.evalsPerRun, pf.evalBatch, pf.finalEvalBatch, pf.saves
	if pf.onNaN == "skip" {
		p.NaNSkip = &scaling.NaNSkip{LRFactor: pf.nanLRFactor, MaxSkips: pf.nanMaxSkips}
	}
	h := &p.HParams
	h.BatchTokens, h.MicroBatch = pf.batchTokens, pf.microBatch
	h.BaseLR, h.BaseWidth, h.MinLRFrac, h.WarmupFrac, h.WeightDecay = pf.lr, pf.lrWidth, pf.minLRFrac, pf.warmupFrac, pf.wd
	h.LSTMLRFactor = pf.lstmLR
	if pf.lrScan {
		p.LRScan = &scaling.LRScan{}
	}
	if err := p.Validate(); err != nil {
		return p, "", flagError(err)
	}
	return p, "flags", nil
}

// fieldFlags maps a plan field (its JSON key, without an index) to the
// flag that sets it.
var fieldFlags = map[string]string{
	"data": "-data", "tokenizer": "-tokenizer / -vocab", "val_frac": "-val-frac", "seq": "-seq",
	"presets": "-presets", "tokens": "-tokens", "flops": "-flops", "min_steps": "-min-steps",
	"mode": "-mode", "decay_frac": "-decay-frac", "unique_tokens": "-unique", "evals_per_run": "-evals",
	"eval_batches": "-eval-batches", "final_eval_batches": "-final-eval-batches", "hparams.batch_tokens": "-batch-tokens", "hparams.micro_batch": "-micro-batch",
	"hparams.base_lr": "-lr", "hparams.base_width": "-lr-width", "hparams.min_lr_frac": "-min-lr-frac",
	"hparams.warmup_frac": "-warmup-frac", "hparams": "-wd", "saves_per_run": "-saves",
	"nan_skip.lr_factor": "-nan-lr-factor", "nan_skip.max_skips": "-nan-max-skips",
}

var fieldIndex = regexp.MustCompile(`\[\d+\]$`)

// flagError turns a plan's field error into a usage error naming the
// flag that set the field.
func flagError(err error) error {
	var fe *scaling.PlanFieldError
	if errors.As(err, &fe) {
		if name, ok := fieldFlags[fieldIndex.ReplaceAllString(fe.Field, "")]; ok {
			return usagef("flag %s: %s", name, fe.Problem)
		}
	}
	return usageError{err}
}

func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// taskArgs are the device flags the emitted job's tasks get: the ones
// given, else -device cuda (each task has one GPU).
func (f *flags) taskArgs() []string {
	args := []string{"-device", "cuda"}
	if f.set["device"] {
		args[1] = f.dev.Device
	}
	if f.set["precision"] {
		args = append(args, "-precision", f.dev.Precision)
	}
	if f.set["threads"] {
		args = append(args, "-threads", strconv.Itoa(f.dev.Threads))
	}
	return args
}

// absOut is -out as an absolute path, as cluster tasks need it.
func (f *flags) absOut() (string, error) {
	abs, err := filepath.Abs(f.out)
	if err != nil {
		return "", usagef("flag -out: %v", err)
	}
	return abs, nil
}
