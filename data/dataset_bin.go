package data

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// loadBin loads token shards: a prepared folder, a folder of train and val
// shards, or files named by a path or glob.
func loadBin(s sourceSpec, opts DatasetOptions) (*Dataset, error) {
	vocab, err := s.intParam("vocab", 0, 1, math.MaxInt32)
	if err != nil {
		return nil, err
	}
	if isDir(s.path) {
		if _, err := os.Stat(filepath.Join(s.path, ManifestFile)); err == nil {
			if len(s.params) > 0 {
				return nil, fmt.Errorf("data %q: a prepared folder takes no parameters; its manifest says everything", s.raw)
			}
			return loadPrepared(s, opts)
		}
	}
	trainFiles, valFiles, err := binFiles(s)
	if err != nil {
		return nil, err
	}
	var fromDir string // a tokenizer.json beside the shards
	if dir := binDir(s.path); dir != "" {
		if p := filepath.Join(dir, preparedTokenizer); fileExists(p) {
			fromDir = p
		}
	}
	tok, err := binTokenizer(fromDir, opts.Tokenizer)
	if err != nil {
		return nil, fmt.Errorf("data %q: %w", s.raw, err)
	}
	if tok != nil {
		if vocab > 0 && int(vocab) != tok.VocabSize() {
			return nil, fmt.Errorf("data %q: parameter vocab=%d, but the tokenizer has %d ids", s.raw, vocab, tok.VocabSize())
		}
		vocab = int64(tok.VocabSize())
	}
	d := &Dataset{Tokenizer: tok}
	if d.Train, err = readShardFiles(trainFiles, "", int(vocab), nil); err != nil {
		return nil, err
	}
	if d.Val, err = readShardFiles(valFiles, "", int(vocab), nil); err != nil {
		return nil, err
	}
	heldOut := ""
	if valFiles == nil {
		n := int(float64(len(d.Train)) * opts.ValFraction)
		d.Train, d.Val = d.Train[:len(d.Train)-n:len(d.Train)-n], d.Train[len(d.Train)-n:]
		heldOut = fmt.Sprintf(" (validation: the last %v of the tokens)", opts.ValFraction)
	}
	if len(d.Train) == 0 {
		return nil, fmt.Errorf("data %q: no training tokens", s.raw)
	}
	d.VocabSize = int(vocab)
	if d.VocabSize == 0 {
		d.VocabSize = int(max(slices.Max(d.Train), maxOrZero(d.Val))) + 1
	}
	if tok != nil && len(d.Val) > 0 {
		d.ValBytesPerToken = float64(tok.textBytes(d.Val)) / float64(len(d.Val))
	}
	d.Description = fmt.Sprintf("%s: %d training shards, %d validation shards%s, %d + %d tokens, vocabulary %d",
		s.raw, len(trainFiles), len(valFiles), heldOut, len(d.Train), len(d.Val), d.VocabSize)
	return d, nil
}

func maxOrZero(x []int32) int32 {
	if len(x) == 0 {
		return 0
	}
	return slices.Max(x)
}

func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// binDir returns the folder of a bin path: itself if it is one, the
// parent of a single file, "" for a glob.
func binDir(path string) string {
	switch {
	case isDir(path):
		return path
	case strings.ContainsAny(path, "*["):
		return ""
	}
	return filepath.Dir(path)
}

// binFiles lists the training and validation shards of a bin spec that is
// not a prepared folder. valFiles is nil when none are named or found.
func binFiles(s sourceSpec) (trainFiles, valFiles []string, err error) {
	glob := func(pattern, what string) ([]string, error) {
		files, err := filepath.Glob(pattern)
		if err != nil {
			return nil, fmt.Errorf("data %q: %s: %w", s.raw, what, err)
		}
		return files, nil // sorted
	}
	if isDir(s.path) {
		if trainFiles, err = glob(filepath.Join(s.path, "*train*.bin"), "path"); err != nil {
			return nil, nil, err
		}
		if len(trainFiles) == 0 {
			return nil, nil, fmt.Errorf("data %q: %s has no %s and no *train*.bin shards", s.raw, s.path, ManifestFile)
		}
		if valFiles, err = glob(filepath.Join(s.path, "*val*.bin"), "path"); err != nil {
			return nil, nil, err
		}
	} else if strings.ContainsAny(s.path, "*[") {
		if trainFiles, err = glob(s.path, "path"); err != nil {
			return nil, nil, err
		}
		if len(trainFiles) == 0 {
			return nil, nil, fmt.Errorf("data %q: no files match %s", s.raw, s.path)
		}
	} else {
		if !fileExists(s.path) {
			return nil, nil, fmt.Errorf("data %q: %s is not a shard file, a glob or a folder", s.raw, s.path)
		}
		trainFiles = []string{s.path}
	}
	if v := s.param("val", ""); v != "" {
		if valFiles, err = glob(v, "parameter val"); err != nil {
			return nil, nil, err
		}
		if len(valFiles) == 0 {
			return nil, nil, fmt.Errorf("data %q: parameter val: no files match %s", s.raw, v)
		}
	}
	for _, v := range valFiles {
		if slices.Contains(trainFiles, v) {
			return nil, nil, fmt.Errorf("data %q: %s is both a training and a validation shard", s.raw, v)
		}
	}
	if len(valFiles) == 0 {
		valFiles = nil
	}
	return trainFiles, valFiles, nil
}

// binTokenizer returns the tokenizer of shards: the one beside them
// (fromDir, may be ""), the one spec names (gpt2 or a file; bpe is
// ignored), which must then agree, or nil if there is none.
func binTokenizer(fromDir, spec string) (*Tokenizer, error) {
	var named *Tokenizer
	if spec != "" {
		choice, err := parseTokenizerSpec(spec)
		if err != nil {
			return nil, err
		}
		if choice.kind != "bpe" {
			if named, err = choice.load(); err != nil {
				return nil, err
			}
		}
	}
	if fromDir == "" {
		return named, nil
	}
	beside, err := LoadTokenizer(fromDir)
	if err != nil {
		return nil, err
	}
	if named != nil && !sameTokenizer(named, beside) {
		return nil, fmt.Errorf("tokenizer %s differs from the shards' %s", spec, fromDir)
	}
	return beside, nil
}

// sameTokenizer reports whether two tokenizers have the same vocabulary,
// merges and end-of-text id.
func sameTokenizer(a, b *Tokenizer) bool {
	var ja, jb bytes.Buffer
	return a.WriteJSON(&ja) == nil && b.WriteJSON(&jb) == nil && bytes.Equal(ja.Bytes(), jb.Bytes())
}

// textBytes returns the number of text bytes that ids decode to, not
// counting end-of-text ids. The ids must be in range.
func (t *Tokenizer) textBytes(ids []int32) int64 {
	var n int64
	for _, id := range ids {
		if id != t.eot {
			n += int64(len(t.tokens[id]))
		}
	}
	return n
}

// readShardFiles reads shard files in order into one stream. When want is
// not nil it lists each file's token count and SHA-256, which must match;
// the files' sizes are checked against the counts before the stream is
// allocated, so a corrupt manifest cannot ask for more memory than the
// files hold.
func readShardFiles(paths []string, format ShardFormat, vocab int, want []ShardFile) ([]int32, error) {
	var total int64
	for i, w := range want {
		fi, err := os.Stat(paths[i])
		if err != nil {
			return nil, fmt.Errorf("read shard: %w", err)
		}
		if size := format.fileSize(w.Tokens); fi.Size() != size {
			return nil, fmt.Errorf("read shard %s: %d bytes, but the manifest's %d tokens take %d in the %s format",
				paths[i], fi.Size(), w.Tokens, size, format)
		}
		total += w.Tokens
	}
	out := make([]int32, 0, total)
	for i, p := range paths {
		var err error
		if out, err = readShardFile(out, p, format, vocab, want, i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readShardFile appends the tokens of one shard file to dst, checking it
// against want[i] when want is not nil.
func readShardFile(dst []int32, path string, format ShardFormat, vocab int, want []ShardFile, i int) ([]int32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read shard: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read shard: %w", err)
	}
	h := sha256.New()
	start := len(dst)
	dst, _, err = readShard(dst, io.TeeReader(f, h), fi.Size(), format, vocab)
	if err != nil {
		return nil, fmt.Errorf("read shard %s: %w", path, err)
	}
	if want != nil {
		if n := int64(len(dst) - start); n != want[i].Tokens {
			return nil, fmt.Errorf("read shard %s: %d tokens, the manifest says %d", path, n, want[i].Tokens)
		}
		if sum := hex.EncodeToString(h.Sum(nil)); sum != want[i].SHA256 {
			return nil, fmt.Errorf("read shard %s: SHA-256 %s, the manifest says %s: the file changed since it was prepared", path, sum, want[i].SHA256)
		}
	}
	return dst, nil
}

// loadPrepared loads a folder written by Prepare, checking every file
// against its manifest.
func loadPrepared(s sourceSpec, opts DatasetOptions) (*Dataset, error) {
	dir := s.path
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	tpath := filepath.Join(dir, m.Tokenizer.File)
	tj, err := os.ReadFile(tpath)
	if err != nil {
		return nil, fmt.Errorf("data %q: %w", s.raw, err)
	}
	if sum := sha256.Sum256(tj); hex.EncodeToString(sum[:]) != m.Tokenizer.SHA256 {
		return nil, fmt.Errorf("data %q: %s has SHA-256 %s, the manifest says %s: the file changed since it was prepared",
			s.raw, tpath, hex.EncodeToString(sum[:]), m.Tokenizer.SHA256)
	}
	tok, err := ReadTokenizerJSON(bytes.NewReader(tj))
	if err != nil {
		return nil, fmt.Errorf("data %q: %s: %w", s.raw, tpath, err)
	}
	if tok.VocabSize() != m.Tokenizer.Vocab {
		return nil, fmt.Errorf("data %q: %s has %d ids, the manifest says %d", s.raw, tpath, tok.VocabSize(), m.Tokenizer.Vocab)
	}
	if opts.Tokenizer != "" {
		named, err := binTokenizer("", opts.Tokenizer)
		if err != nil {
			return nil, fmt.Errorf("data %q: %w", s.raw, err)
		}
		if named != nil && !sameTokenizer(named, tok) {
			return nil, fmt.Errorf("data %q: tokenizer %s differs from the prepared %s", s.raw, opts.Tokenizer, tpath)
		}
	}
	d := &Dataset{Tokenizer: tok, VocabSize: tok.VocabSize(), Manifest: m}
	for _, side := range []struct {
		part *ManifestPart
		dst  *[]int32
	}{{&m.Train, &d.Train}, {&m.Val, &d.Val}} {
		paths := make([]string, len(side.part.Shards))
		for i, sh := range side.part.Shards {
			paths[i] = filepath.Join(dir, sh.File)
		}
		if *side.dst, err = readShardFiles(paths, m.Format, tok.VocabSize(), side.part.Shards); err != nil {
			return nil, err
		}
	}
	if len(d.Train) == 0 {
		return nil, fmt.Errorf("data %q: no training tokens", s.raw)
	}
	if m.Val.Tokens > 0 {
		d.ValBytesPerToken = float64(m.Val.Bytes) / float64(m.Val.Tokens)
	}
	d.Description = fmt.Sprintf("%s: prepared from %s, %d + %d documents, %d + %d tokens in %d + %d %s shards, tokenizer %s (%d ids)",
		s.raw, m.Source.Spec, m.Train.Documents, m.Val.Documents, m.Train.Tokens, m.Val.Tokens,
		len(m.Train.Shards), len(m.Val.Shards), m.Format, m.Tokenizer.Spec, d.VocabSize)
	return d, nil
}
