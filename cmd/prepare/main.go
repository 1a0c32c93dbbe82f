// Command prepare tokenizes a text corpus into token shards that train
// (and nanoGPT or llm.c) read: a folder with train_000000.bin...,
// val_000000.bin..., tokenizer.json and manifest.json.
//
//	go run ./cmd/prepare -data gosrc -tokenizer bpe:8192 -out data/prep/gosrc
//	go run ./cmd/prepare -data dir:books?glob=*.txt -tokenizer gpt2 -format nanogpt -out data/prep/books
//	go run ./cmd/prepare -data jsonl:web.jsonl?field=content -bad-lines skip -out data/prep/web
//
// The folder appears only once complete; train reads it with -data bin:FOLDER.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/plateau-lab/plateau/data"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "prepare:", err)
		os.Exit(1)
	}
}

type flags struct {
	source, tokenizer, out, format, badLines, goroot string
	valFrac                                          float64
	seed                                             uint64
	shardTokens                                      int64
	workers                                          int
	progress                                         bool
}

func parse(args []string, stderr io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("prepare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.source, "data", "builtin", "text to prepare: builtin, gosrc, dir:PATH[?glob=*.txt&maxdoc=BYTES] or jsonl:PATH[?field=text]")
	fs.StringVar(&f.tokenizer, "tokenizer", "bpe:8192", "bpe:VOCAB (trained on the training documents), gpt2, or a tokenizer.json")
	fs.Float64Var(&f.valFrac, "val", 0.005, "fraction of documents held out for validation")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the train/validation split")
	fs.StringVar(&f.out, "out", "", "output folder (required); replaced atomically when complete")
	fs.StringVar(&f.format, "format", string(data.ShardLLMC), "shard format: llmc (llm.c, uint16), llmc32 (llm.c Llama 3, uint32) or nanogpt (headerless uint16)")
	fs.Int64Var(&f.shardTokens, "shard-tokens", 100_000_000, "tokens per shard file")
	fs.IntVar(&f.workers, "workers", runtime.GOMAXPROCS(0), "encoding goroutines")
	fs.StringVar(&f.badLines, "bad-lines", "fail", "jsonl lines that are not an object with the text field: fail or skip (and count)")
	fs.StringVar(&f.goroot, "goroot", "", "Go root for -data gosrc (default: the running toolchain's)")
	fs.BoolVar(&f.progress, "progress", true, "show a progress bar on stderr")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case f.out == "":
		return nil, fmt.Errorf("flag -out: want the folder to write")
	case !(f.valFrac >= 0 && f.valFrac < 1):
		return nil, fmt.Errorf("flag -val %v: want a fraction in [0, 1)", f.valFrac)
	case f.shardTokens < 1:
		return nil, fmt.Errorf("flag -shard-tokens %d: want at least 1", f.shardTokens)
	case f.workers < 1:
		return nil, fmt.Errorf("flag -workers %d: want at least 1", f.workers)
	case f.badLines != "fail" && f.badLines != "skip":
		return nil, fmt.Errorf("flag -bad-lines %q: want fail or skip", f.badLines)
	}
	if _, err := data.ParseShardFormat(f.format); err != nil {
		return nil, fmt.Errorf("flag -format: %w", err)
	}
	if err := data.CheckTokenizerSpec(f.tokenizer); err != nil {
		return nil, fmt.Errorf("flag -tokenizer: %w", err)
	}
	return f, nil
}

func run(args []string, stderr io.Writer) error {
	f, err := parse(args, stderr)
	if err != nil {
		return err
	}
	src, err := data.OpenSource(f.source, data.SourceOptions{GOROOT: f.goroot, SkipBadLines: f.badLines == "skip"})
	if err != nil {
		return fmt.Errorf("flag -data: %w", err)
	}
	if src.Root() != "" {
		fmt.Fprintf(stderr, "reading %s (%.1f MB)\n", src.Root(), float64(src.Size())/1e6)
	}
	bars := &progress{w: stderr, on: f.progress}
	start := time.Now()
	m, err := data.Prepare(f.out, src, data.PrepareOptions{
		Tokenizer:   f.tokenizer,
		ValFraction: f.valFrac,
		Seed:        f.seed,
		Format:      data.ShardFormat(f.format),
		ShardTokens: f.shardTokens,
		Workers:     f.workers,
		Progress:    bars.update,
	})
	bars.finish()
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	st := m.Source.Stats
	fmt.Fprintf(stderr, "wrote %s in %.1fs (%.2f MB/s)\n", f.out, secs, float64(st.Bytes)/1e6/secs)
	fmt.Fprintf(stderr, "  train: %d documents, %d tokens in %d shards\n", m.Train.Documents, m.Train.Tokens, len(m.Train.Shards))
	fmt.Fprintf(stderr, "  val:   %d documents, %d tokens in %d shards\n", m.Val.Documents, m.Val.Tokens, len(m.Val.Shards))
	if skipped := skippedLine(st); skipped != "" {
		fmt.Fprintf(stderr, "  skipped: %s\n", skipped)
	}
	fmt.Fprintf(stderr, "  tokenizer %s: %d ids, %.2f bytes per token\n", m.Tokenizer.Spec, m.Tokenizer.Vocab,
		float64(m.Train.Bytes+m.Val.Bytes)/float64(max(1, m.Train.Tokens+m.Val.Tokens)))
	return nil
}

// skippedLine lists what the source skipped, or "" if nothing.
func skippedLine(st data.SourceStats) string {
	var parts []string
	for _, c := range []struct {
		n    int64
		what string
	}{{st.Empty, "empty"}, {st.Binary, "binary files"}, {st.BadLines, "bad lines"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	return strings.Join(parts, ", ")
}

// progress shows one progress bar per pass of data.Prepare.
type progress struct {
	w     io.Writer
	on    bool
	stage string
	bar   *progressbar.ProgressBar
}

// stageName describes a pass of data.Prepare for its progress bar.
func stageName(stage string) string {
	switch stage {
	case "count":
		return "counting words"
	case "merge":
		return "merging BPE pairs"
	case "encode":
		return "encoding"
	}
	return stage
}

func (p *progress) update(stage string, done, total int64) {
	if !p.on {
		return
	}
	if stage != p.stage {
		p.finish()
		p.stage = stage
		if stage == "merge" {
			fmt.Fprintln(p.w, stageName(stage)+" ...")
			return
		}
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(stageName(stage)),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowCount(),
			progressbar.OptionShowTotalBytes(true),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
		)
	}
	if p.bar != nil {
		p.bar.Set64(done)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
	p.stage = ""
}
