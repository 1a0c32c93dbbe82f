package data

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/plateau-lab/plateau/internal/atomicfile"
)

// PrepareOptions configures Prepare.
type PrepareOptions struct {
	Tokenizer   string      // bpe:VOCAB (trained on the training split), gpt2, or a tokenizer.json path
	ValFraction float64     // fraction of documents held out, in [0, 1); see Split
	Seed        uint64      // seed of the split
	Format      ShardFormat // layout of the shard files
	ShardTokens int64       // tokens per shard file; the last of each split holds the rest
	Workers     int         // encoding goroutines; <= 0 means all CPUs
	// Progress, when set, is called as each pass advances with the pass's
	// name ("count" for BPE word counting, "merge" once when BPE merging
	// starts, "encode"), the input bytes read so far and the total (-1
	// when unknown). It is called from one goroutine at a time.
	Progress func(stage string, done, total int64)
}

// Prepare tokenizes a text source (see OpenSource) into a folder of token
// shards at out, as nanoGPT's and llm.c's prepare scripts do, streaming:
// documents flow from one reader through Workers encoders to one writer
// that keeps their order, so memory holds a few documents per worker
// however large the corpus, and the output is the same for any number of
// workers.
//
// Documents are split as Split splits them (whole documents, by a hash of
// their bytes and the seed). Each side's stream is its documents' tokens in
// source order with the end-of-text id between consecutive documents, cut
// into shards of ShardTokens: train_000000.bin, train_000001.bin, ... and
// val_000000.bin, ... (a side with no tokens has no shard). The folder also
// holds tokenizer.json and manifest.json (see Manifest), written last.
//
// A bpe tokenizer takes a first pass over the source to count the training
// split's pre-tokens. In the rare case where Split would move a document to
// keep both sides non-empty (a tiny corpus), a pass runs a second time.
//
// The folder is built under a temporary name next to out and renamed into
// place only when complete (atomicfile.WriteDir), replacing any earlier
// one; a failed or interrupted run leaves no partial folder at out.
func Prepare(out string, src Source, opts PrepareOptions) (*Manifest, error) {
	if err := checkPrepareOptions(&opts); err != nil {
		return nil, err
	}
	choice, err := parseTokenizerSpec(opts.Tokenizer)
	if err != nil {
		return nil, err
	}
	if err := checkVocabFits(choice.vocabSize(), opts.Format); err != nil {
		return nil, fmt.Errorf("tokenizer %q: %w", opts.Tokenizer, err)
	}
	plan := newSplitPlan(opts.ValFraction, opts.Seed)
	var tok *Tokenizer
	if choice.kind == "bpe" {
		if tok, plan, err = trainStreaming(src, choice.vocab, plan, opts); err != nil {
			return nil, fmt.Errorf("prepare %s: train tokenizer %s: %w", src.Spec(), opts.Tokenizer, err)
		}
	} else if tok, err = choice.load(); err != nil {
		return nil, err
	}
	if err := checkVocabFits(tok.VocabSize(), opts.Format); err != nil {
		return nil, fmt.Errorf("tokenizer %q: %w", opts.Tokenizer, err)
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(out)), 0o777); err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	var m *Manifest
	err = atomicfile.WriteDir(out, func(tmp string) error {
		m, err = prepareInto(tmp, src, tok, choice, plan, opts)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", src.Spec(), err)
	}
	return m, nil
}

// checkPrepareOptions checks the numeric options and fills in defaults.
func checkPrepareOptions(o *PrepareOptions) error {
	if !(o.ValFraction >= 0 && o.ValFraction < 1) {
		return fmt.Errorf("prepare: validation fraction %v outside [0, 1)", o.ValFraction)
	}
	if _, err := ParseShardFormat(string(o.Format)); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if o.ShardTokens < 1 || o.ShardTokens > o.Format.maxTokens() {
		return fmt.Errorf("prepare: %d tokens per shard, want 1..%d for the %s format", o.ShardTokens, o.Format.maxTokens(), o.Format)
	}
	if o.Progress == nil {
		o.Progress = func(string, int64, int64) {}
	}
	return nil
}

// checkVocabFits reports whether a vocabulary of n ids fits the format; n
// = 0 means not known yet.
func checkVocabFits(n int, f ShardFormat) error {
	if n > f.MaxVocab() {
		return fmt.Errorf("vocabulary of %d ids does not fit the %s shard format (at most %d); use %s", n, f, f.MaxVocab(), ShardLLMC32)
	}
	return nil
}

// trainStreaming trains a BPE of vocab ids on the training documents of
// src, counting pre-tokens on all workers, and returns it with the split
// plan the pass settled.
func trainStreaming(src Source, vocab int, plan splitPlan, opts PrepareOptions) (*Tokenizer, splitPlan, error) {
	for {
		trainer, err := NewBPETrainer(vocab)
		if err != nil {
			return nil, plan, err
		}
		var scan splitScan
		stats, err := eachOrdered(src, opts.Workers,
			func(i int64, d Doc) (float64, error) {
				u := docUniform(d.Text, plan.seed)
				if !plan.isVal(i, u) {
					trainer.Add(d.Text)
				}
				return u, nil
			},
			func(i int64, d Doc, u float64) error {
				scan.observe(i, u, plan.valFraction)
				opts.Progress("count", d.Read, src.Size())
				return nil
			})
		if err != nil {
			return nil, plan, err
		}
		if scan.n == 0 {
			return nil, plan, errNoDocuments(stats)
		}
		if p := scan.plan(plan.valFraction, plan.seed); p != plan {
			plan = p // a document changes sides: count again
			continue
		}
		opts.Progress("merge", 0, -1)
		tok, err := trainer.Train()
		return tok, plan, err
	}
}

// errNoDocuments says that a pass over a source found no document, and what
// it skipped.
func errNoDocuments(st SourceStats) error {
	return fmt.Errorf("no documents (skipped %d empty, %d binary, %d bad lines)", st.Empty, st.Binary, st.BadLines)
}

// encodedDoc is a worker's result for one document.
type encodedDoc struct {
	tokens []int32
	u      float64 // docUniform of the document
}

// prepareInto encodes src into shards in dir and writes the tokenizer and
// the manifest.
func prepareInto(dir string, src Source, tok *Tokenizer, choice tokenizerChoice, plan splitPlan, opts PrepareOptions) (*Manifest, error) {
	var (
		parts [2]*partWriter // train, val
		stats SourceStats
	)
	for {
		parts = [2]*partWriter{
			newPartWriter(dir, "train", opts.Format, opts.ShardTokens, tok.EOT()),
			newPartWriter(dir, "val", opts.Format, opts.ShardTokens, tok.EOT()),
		}
		var scan splitScan
		var err error
		stats, err = eachOrdered(src, opts.Workers,
			func(i int64, d Doc) (encodedDoc, error) {
				return encodedDoc{tok.Encode(d.Text), docUniform(d.Text, plan.seed)}, nil
			},
			func(i int64, d Doc, e encodedDoc) error {
				scan.observe(i, e.u, plan.valFraction)
				side := parts[0]
				if plan.isVal(i, e.u) {
					side = parts[1]
				}
				opts.Progress("encode", d.Read, src.Size())
				return side.addDoc(e.tokens, len(d.Text))
			})
		for _, p := range parts {
			if cerr := p.close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return nil, err
		}
		if stats.Docs == 0 {
			return nil, errNoDocuments(stats)
		}
		p := scan.plan(plan.valFraction, plan.seed)
		if p == plan {
			break
		}
		plan = p // a document changes sides: encode again
		for _, pw := range parts {
			if err := pw.remove(); err != nil {
				return nil, err
			}
		}
	}

	var tj bytes.Buffer
	if err := tok.WriteJSON(&tj); err != nil {
		return nil, fmt.Errorf("write %s: %w", preparedTokenizer, err)
	}
	if err := os.WriteFile(filepath.Join(dir, preparedTokenizer), tj.Bytes(), 0o666); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(tj.Bytes())
	m := &Manifest{
		Format: opts.Format,
		Source: ManifestSource{Spec: src.Spec(), Root: src.Root(), Stats: stats},
		Tokenizer: ManifestTokenizer{
			Spec: choice.spec, Kind: choice.kind, Vocab: tok.VocabSize(), EOT: tok.EOT(),
			File: preparedTokenizer, SHA256: hex.EncodeToString(sum[:]),
		},
		Split:   ManifestSplit{ValFraction: plan.valFraction, Seed: plan.seed},
		Train:   parts[0].part,
		Val:     parts[1].part,
		Plateau: currentBuild(),
		Created: time.Now().UTC().Truncate(time.Second),
	}
	var mj bytes.Buffer
	if err := m.WriteJSON(&mj); err != nil {
		return nil, fmt.Errorf("write %s: %w", ManifestFile, err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), mj.Bytes(), 0o666); err != nil {
		return nil, err
	}
	return m, nil
}
