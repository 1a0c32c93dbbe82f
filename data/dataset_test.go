package data

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeShardFile writes tokens as a shard file.
func writeShardFile(t *testing.T, path string, f ShardFormat, tokens []int32) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteShard(&buf, f, tokens); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o666); err != nil {
		t.Fatal(err)
	}
}

func TestLoadDatasetBinFiles(t *testing.T) {
	dir := t.TempDir()
	train1, train2, val := []int32{1, 2, 3, 4}, []int32{5, 6, 7, 8, 9, 10}, []int32{11, 12}
	writeShardFile(t, filepath.Join(dir, "x_train_000.bin"), ShardNanoGPT, train1)
	writeShardFile(t, filepath.Join(dir, "x_train_001.bin"), ShardLLMC, train2)
	writeShardFile(t, filepath.Join(dir, "x_val_000.bin"), ShardLLMC32, val)
	all := slices.Concat(train1, train2)
	tests := []struct {
		spec       string
		frac       float64
		train, val []int32
		vocab      int
	}{
		{"bin:" + dir, 0, all, val, 13},
		{"bin:" + dir + "?vocab=100", 0, all, val, 100},
		{"bin:" + filepath.Join(dir, "*train*") + "?val=" + filepath.Join(dir, "*val*"), 0, all, val, 13},
		{"bin:" + filepath.Join(dir, "x_train_001.bin"), 0.5, train2[:3], train2[3:], 11},
		{"bin:" + filepath.Join(dir, "*train*"), 0, all, []int32{}, 11},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.spec[4:], dir, "DIR"), func(t *testing.T) {
			d, err := LoadDataset(tt.spec, DatasetOptions{ValFraction: tt.frac, Tokenizer: "bpe:1024"})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.Train, tt.train) || !slices.Equal(d.Val, tt.val) || d.VocabSize != tt.vocab || d.Tokenizer != nil {
				t.Errorf("got %v / %v vocab %d, want %v / %v vocab %d", d.Train, d.Val, d.VocabSize, tt.train, tt.val, tt.vocab)
			}
		})
	}
	for spec, want := range map[string]string{
		"bin:" + dir + "?vocab=10":              "token 10 at position 5, want ids below the vocabulary size 10",
		"bin:" + filepath.Join(dir, "none.bin"): "is not a shard file",
		"bin:" + filepath.Join(dir, "*.npy"):    "no files match",
		"bin:" + filepath.Join(dir, "x_train_000.bin") + "?val=" + filepath.Join(dir, "*train*"): "both a training and a validation shard",
		"bin:" + t.TempDir(): "no manifest.json and no *train*.bin shards",
	} {
		if _, err := LoadDataset(spec, DatasetOptions{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadDataset(%q): error %v, want %q", spec, err, want)
		}
	}
}

func TestLoadDatasetBinWithTokenizer(t *testing.T) {
	dir := t.TempDir()
	tok, err := TrainBPE([][]byte{paragraphs(4000, 5)}, 270)
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.Save(filepath.Join(dir, "tokenizer.json")); err != nil {
		t.Fatal(err)
	}
	text := []byte("line 12 of words\nline 7 of words\n")
	ids := tok.Encode(text)
	writeShardFile(t, filepath.Join(dir, "train.bin"), ShardNanoGPT, slices.Concat(ids, ids))
	writeShardFile(t, filepath.Join(dir, "val.bin"), ShardNanoGPT, slices.Concat(ids, []int32{tok.EOT()}, ids))
	d, err := LoadDataset("bin:"+dir, DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := float64(2*len(text)) / float64(2*len(ids)+1)
	if d.Tokenizer == nil || d.VocabSize != 270 || d.ValBytesPerToken != want {
		t.Errorf("tokenizer %v, vocab %d, %.4f bytes per token; want the folder's tokenizer, 270, %.4f", d.Tokenizer != nil, d.VocabSize, d.ValBytesPerToken, want)
	}
}

func TestLoadDatasetSynthetic(t *testing.T) {
	const spec = "synthetic:markov1?train=1000&val=250&doc=99&seed=3"
	a, err := LoadDataset(spec, DatasetOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadDataset(spec, DatasetOptions{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	syn, err := NewSynthetic("markov1", 3)
	if err != nil {
		t.Fatal(err)
	}
	rate, _ := syn.EntropyRate()
	if len(a.Train) != 1000 || len(a.Val) != 250 || a.VocabSize != syn.VocabSize() || a.EntropyRate != rate || a.Tokenizer != nil {
		t.Fatalf("got %d + %d tokens, vocab %d, rate %v", len(a.Train), len(a.Val), a.VocabSize, a.EntropyRate)
	}
	if !slices.Equal(a.Train, b.Train) || !slices.Equal(a.Val, b.Val) {
		t.Error("the streams depend on the number of workers")
	}
	if !slices.Equal(a.Train[:99], syn.Doc(0, 99)) || a.Train[99] != syn.EOT() || !slices.Equal(a.Train[100:199], syn.Doc(1, 99)) {
		t.Error("training stream is not documents 0, 1, ... joined by the end-of-text id")
	}
	if !slices.Equal(a.Val[:99], syn.Doc(syntheticValBase, 99)) || slices.Equal(a.Val[:99], a.Train[:99]) {
		t.Error("validation stream does not start with the held-out document")
	}
	if _, err := LoadDataset("synthetic:nope", DatasetOptions{}); err == nil || !strings.Contains(err.Error(), "markov1") {
		t.Errorf("unknown kind: error %v, want one listing the kinds", err)
	}
	// A document longer than the stream is generated only as far as kept.
	long, err := LoadDataset("synthetic:copy?train=300&val=0&doc=17179869184", DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cp, err := NewSynthetic("copy", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(long.Train, cp.Doc(0, 300)) || !slices.Equal(long.Train[:100], cp.Doc(0, 100)) {
		t.Error("a stream cut inside a document is not that document's first tokens")
	}
	for spec, want := range map[string]string{
		"synthetic:markov1?train=0":                 "train=\"0\", want an integer from 1 to 17179869184",
		"synthetic:markov1?val=99999999999999":      "val=\"99999999999999\", want an integer from 0 to 17179869184",
		"synthetic:markov1?doc=9223372036854775807": "doc=\"9223372036854775807\", want an integer from 1",
		"synthetic:markov1?seed=-1":                 "seed=\"-1\", want an integer from 0",
	} {
		if _, err := LoadDataset(spec, DatasetOptions{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadDataset(%q): error %v, want %q", spec, err, want)
		}
	}
}

// TestLoadDatasetRules: a rules split is one document (no end-of-text id),
// so windows of a multiple of the segment length start at a segment; the
// spec's parameters shape the source and no other kind takes them.
func TestLoadDatasetRules(t *testing.T) {
	const spec = "synthetic:rules?train=5000&val=640&rules=64&zipf=1.5&symbols=64&segment=16&noise=0.1&seed=2"
	d, err := LoadDataset(spec, DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := RulesConfig{Rules: 64, Zipf: 1.5, Symbols: 64, Segment: 16, Noise: 0.1}
	syn, err := NewRules(cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	rate, _ := syn.EntropyRate()
	if !slices.Equal(d.Train, syn.Doc(0, 5000)) || !slices.Equal(d.Val, syn.Doc(syntheticValBase, 640)) {
		t.Error("a rules split is not one document")
	}
	if d.EntropyRate != rate || d.VocabSize != 64+8+1 || slices.Contains(d.Train, syn.EOT()) {
		t.Errorf("rate %v (want %v), vocabulary %d (want 73)", d.EntropyRate, rate, d.VocabSize)
	}
	if h, err := EntropyRate(spec); err != nil || h != rate {
		t.Errorf("EntropyRate(%q) = %v, %v; want %v", spec, h, err, rate)
	}
	if cfg.String() != "rules=64&zipf=1.5&symbols=64&segment=16&noise=0.1" {
		t.Errorf("config as parameters: %s", cfg)
	}
	for spec, want := range map[string]string{
		"synthetic:markov1?zipf=2":     "parameter zipf shapes synthetic:rules only",
		"synthetic:rules?symbols=100":  "symbols = 100, want a power of two from 2 to 16384",
		"synthetic:rules?rules=1":      "rules = 1, want a power of two from 2",
		"synthetic:rules?segment=2":    "segment = 2, want a power of two from 4",
		"synthetic:rules?zipf=abc":     `zipf="abc", want a number`,
		"synthetic:rules?zipf=0":       "zipf = 0, want an exponent in (0, 16]",
		"synthetic:rules?noise=1.5":    "noise = 1.5, want a probability in [0, 1]",
		"synthetic:rules?noise=NaN":    `noise="NaN", want a number`,
		"synthetic:rules?segment=2e10": `segment="2e10", want an integer`,
	} {
		_, err := LoadDataset(spec, DatasetOptions{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadDataset(%q): error %v, want %q", spec, err, want)
		}
		if _, err := EntropyRate(spec); err == nil {
			t.Errorf("EntropyRate(%q) accepted it", spec)
		}
	}
}

func TestLoadDatasetText(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.txt": string(paragraphs(3000, 1)), "b.txt": string(paragraphs(3000, 2)), "c.txt": string(paragraphs(3000, 3))})
	d, err := LoadDataset("dir:"+dir, DatasetOptions{Tokenizer: "bpe:300", ValFraction: 0.3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := &Corpus{Docs: [][]byte{paragraphs(3000, 1), paragraphs(3000, 2), paragraphs(3000, 3)}}
	train, val, err := Split(c, 0.3, 1)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := TrainBPE(train, 300)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Train, Tokenize(tok, train, 1)) || !slices.Equal(d.Val, Tokenize(tok, val, 1)) || d.VocabSize != 300 {
		t.Error("text dataset differs from Split + TrainBPE + Tokenize")
	}
	for spec, want := range map[string]string{
		"dir:" + dir:       "tokenizer spec is empty",
		"dir:" + dir + "?": "empty parameter list",
	} {
		if _, err := LoadDataset(spec, DatasetOptions{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadDataset(%q): error %v, want %q", spec, err, want)
		}
	}
	_, err = LoadDataset("dir:"+dir, DatasetOptions{Tokenizer: "bpe:100000"})
	if want := "train tokenizer bpe:100000: train BPE: documents hold only enough pairs"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("vocabulary larger than the text allows: error %v, want %q", err, want)
	}
}
