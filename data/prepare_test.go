package data

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestStreamingSplitMatchesSplit runs the streaming split as Prepare does
// (a pass with the plan it starts from, then the plan the scan asks for)
// and checks that it sends every document where Split does.
func TestStreamingSplitMatchesSplit(t *testing.T) {
	for _, tt := range []struct {
		docs int
		frac float64
	}{{1, 0.5}, {2, 0.001}, {2, 0.999}, {3, 0}, {50, 0.1}, {1000, 0.005}, {7, 0.9999}} {
		c := numberedCorpus(tt.docs)
		train, val, err := Split(c, tt.frac, 3)
		if err != nil {
			t.Fatal(err)
		}
		plan := newSplitPlan(tt.frac, 3)
		var scan splitScan
		for i, d := range c.Docs {
			scan.observe(int64(i), docUniform(d, 3), tt.frac)
		}
		plan = scan.plan(tt.frac, 3)
		var gotTrain, gotVal [][]byte
		for i, d := range c.Docs {
			if plan.isVal(int64(i), docUniform(d, 3)) {
				gotVal = append(gotVal, d)
			} else {
				gotTrain = append(gotTrain, d)
			}
		}
		if !slices.EqualFunc(gotTrain, train, bytes.Equal) || !slices.EqualFunc(gotVal, val, bytes.Equal) {
			t.Errorf("%d docs, fraction %v: streaming split %d/%d, Split %d/%d", tt.docs, tt.frac, len(gotTrain), len(gotVal), len(train), len(val))
		}
	}
}

// testCorpusDir writes n small text files of varied content.
func testCorpusDir(t testing.TB, n int) string {
	dir := filepath.Join(t.TempDir(), "corpus")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o777); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		name := filepath.Join(dir, fmt.Sprintf("doc%03d.txt", i))
		if i%3 == 0 {
			name = filepath.Join(dir, "sub", fmt.Sprintf("doc%03d.txt", i))
		}
		if err := os.WriteFile(name, paragraphs(500+37*i, uint64(i)), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// prepareDir runs Prepare on a dir source.
func prepareDir(t testing.TB, corpus, out string, opts PrepareOptions) *Manifest {
	t.Helper()
	src, err := OpenSource("dir:"+corpus, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Prepare(out, src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// readFolder returns the files of a folder, with the manifest's creation
// time blanked.
func readFolder(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := make(map[string][]byte)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == ManifestFile {
			var m Manifest
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			m.Created = time.Time{}
			b, _ = json.Marshal(m)
		}
		files[e.Name()] = b
	}
	return files
}

func TestPrepareSameForAnyWorkers(t *testing.T) {
	corpus := testCorpusDir(t, 30)
	base := t.TempDir()
	var folders []map[string][]byte
	for _, workers := range []int{1, 3} {
		out := filepath.Join(base, fmt.Sprint("w", workers))
		m := prepareDir(t, corpus, out, PrepareOptions{
			Tokenizer: "bpe:300", ValFraction: 0.2, Seed: 5, Format: ShardLLMC, ShardTokens: 700, Workers: workers,
		})
		if len(m.Train.Shards) < 3 || len(m.Val.Shards) < 1 || m.Train.Documents+m.Val.Documents != 30 {
			t.Fatalf("manifest %+v, want several train shards and 30 documents", m)
		}
		folders = append(folders, readFolder(t, out))
	}
	if len(folders[0]) != len(folders[1]) {
		t.Fatalf("1 worker wrote %d files, 3 workers %d", len(folders[0]), len(folders[1]))
	}
	for name, b := range folders[0] {
		if !bytes.Equal(b, folders[1][name]) {
			t.Errorf("%s differs between 1 and 3 workers", name)
		}
	}
}

// TestPrepareMatchesLoadDataset checks that the shards Prepare writes hold
// the streams LoadDataset makes from the same text in memory, in every
// format, and that LoadDataset reads them back.
func TestPrepareMatchesLoadDataset(t *testing.T) {
	corpus := testCorpusDir(t, 12)
	opts := DatasetOptions{Tokenizer: "bpe:280", ValFraction: 0.25, Seed: 9}
	want, err := LoadDataset("dir:"+corpus, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Val) == 0 || len(want.Train) == 0 {
		t.Fatalf("in-memory dataset has %d + %d tokens", len(want.Train), len(want.Val))
	}
	for _, f := range ShardFormats() {
		out := filepath.Join(t.TempDir(), "prep")
		m := prepareDir(t, corpus, out, PrepareOptions{
			Tokenizer: opts.Tokenizer, ValFraction: opts.ValFraction, Seed: opts.Seed, Format: f, ShardTokens: 1500, Workers: 2,
		})
		got, err := LoadDataset("bin:"+out, DatasetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Train, want.Train) || !slices.Equal(got.Val, want.Val) || got.VocabSize != 280 ||
			got.ValBytesPerToken != want.ValBytesPerToken || !sameTokenizer(got.Tokenizer, want.Tokenizer) {
			t.Errorf("%s: loaded %d + %d tokens (%.3f bytes/token), want %d + %d (%.3f)", f,
				len(got.Train), len(got.Val), got.ValBytesPerToken, len(want.Train), len(want.Val), want.ValBytesPerToken)
		}
		if got.Manifest == nil || got.Manifest.Format != f || m.Source.Root == "" {
			t.Errorf("%s: manifest %+v", f, got.Manifest)
		}
	}
}

func TestPrepareTinyCorpus(t *testing.T) {
	// Two documents and a tiny fraction: Split moves one to validation,
	// which the stream only learns at its end.
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.txt": "the first document, the first", "b.txt": "the second document, the second"})
	want, err := LoadDataset("dir:"+dir, DatasetOptions{Tokenizer: "bpe:260", ValFraction: 0.001, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "prep")
	src, err := OpenSource("dir:"+dir, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Prepare(out, src, PrepareOptions{Tokenizer: "bpe:260", ValFraction: 0.001, Seed: 1, Format: ShardNanoGPT, ShardTokens: 100})
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadDataset("bin:"+out, DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Val.Documents != 1 || !slices.Equal(got.Train, want.Train) || !slices.Equal(got.Val, want.Val) {
		t.Errorf("prepared %d validation documents, %v / %v; want 1, %v / %v", m.Val.Documents, got.Train, got.Val, want.Train, want.Val)
	}
}

func TestPrepareWithTokenizerFile(t *testing.T) {
	corpus := testCorpusDir(t, 6)
	tok, err := TrainBPE([][]byte{paragraphs(5000, 1)}, 300)
	if err != nil {
		t.Fatal(err)
	}
	tpath := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := tok.Save(tpath); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "prep")
	m := prepareDir(t, corpus, out, PrepareOptions{Tokenizer: tpath, ValFraction: 0.3, Seed: 1, Format: ShardLLMC, ShardTokens: 1 << 20, Workers: 2})
	if m.Tokenizer.Kind != "file" || m.Tokenizer.Vocab != 300 {
		t.Errorf("manifest tokenizer %+v", m.Tokenizer)
	}
	want, err := LoadDataset("dir:"+corpus, DatasetOptions{Tokenizer: tpath, ValFraction: 0.3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadDataset("bin:"+out, DatasetOptions{Tokenizer: tpath})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Train, want.Train) || !slices.Equal(got.Val, want.Val) {
		t.Error("prepared streams differ from the in-memory ones")
	}
	other, err := TrainBPE([][]byte{paragraphs(5000, 2)}, 290)
	if err != nil {
		t.Fatal(err)
	}
	opath := filepath.Join(t.TempDir(), "other.json")
	if err := other.Save(opath); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDataset("bin:"+out, DatasetOptions{Tokenizer: opath}); err == nil || !strings.Contains(err.Error(), "differs") {
		t.Errorf("a different tokenizer: error %v, want one saying it differs", err)
	}
}

// TestLoadPreparedChecksHashes alters each kind of file of a prepared
// folder and expects a clear error naming it.
func TestLoadPreparedChecksHashes(t *testing.T) {
	corpus := testCorpusDir(t, 8)
	out := filepath.Join(t.TempDir(), "prep")
	prepareDir(t, corpus, out, PrepareOptions{Tokenizer: "bpe:270", ValFraction: 0.3, Seed: 2, Format: ShardLLMC, ShardTokens: 300})
	flip := func(name string, at int) {
		p := filepath.Join(out, name)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b[at] ^= 1
		if err := os.WriteFile(p, b, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	flip("train_000001.bin", 1500)
	_, err := LoadDataset("bin:"+out, DatasetOptions{})
	if err == nil || !strings.Contains(err.Error(), "train_000001.bin: SHA-256") {
		t.Errorf("changed shard: error %v, want a SHA-256 mismatch naming train_000001.bin", err)
	}
	flip("train_000001.bin", 1500)
	flip("train_000000.bin", 8) // the header's token count
	_, err = LoadDataset("bin:"+out, DatasetOptions{})
	if err == nil || !strings.Contains(err.Error(), "train_000000.bin") || !strings.Contains(err.Error(), "want") {
		t.Errorf("changed header: error %v, want a size mismatch naming train_000000.bin", err)
	}
	flip("train_000000.bin", 8)
	flip(preparedTokenizer, 30)
	_, err = LoadDataset("bin:"+out, DatasetOptions{})
	if err == nil || !strings.Contains(err.Error(), "tokenizer.json has SHA-256") {
		t.Errorf("changed tokenizer: error %v, want a SHA-256 mismatch naming tokenizer.json", err)
	}
}

// TestLoadPreparedRejectsBadManifest edits the shard counts of a manifest
// and checks that loading fails with an error naming the field or file,
// before any memory is sized by the counts.
func TestLoadPreparedRejectsBadManifest(t *testing.T) {
	corpus := testCorpusDir(t, 8)
	out := filepath.Join(t.TempDir(), "prep")
	orig := prepareDir(t, corpus, out, PrepareOptions{Tokenizer: "bpe:270", ValFraction: 0.3, Seed: 2, Format: ShardLLMC, ShardTokens: 300})
	for _, tt := range []struct {
		name   string
		counts []int64 // new token counts of the first training shards
		want   string
	}{
		{"negative", []int64{-1}, "field train.shards[0].tokens -1, want 0..2147483647"},
		{"beyond the header", []int64{1 << 40}, "field train.shards[0].tokens 1099511627776"},
		{"larger than the file", []int64{orig.Train.Shards[0].Tokens + 1000}, "train_000000.bin: 1624 bytes, but the manifest's 1300 tokens take 3624"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := *orig
			m.Train.Shards = slices.Clone(orig.Train.Shards)
			for i, n := range tt.counts {
				m.Train.Tokens += n - m.Train.Shards[i].Tokens
				m.Train.Shards[i].Tokens = n
			}
			var b bytes.Buffer
			if err := m.WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(out, ManifestFile), b.Bytes(), 0o666); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadDataset("bin:"+out, DatasetOptions{}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestPrepareFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"d.jsonl": "{\"text\": \"fine\"}\n{\"text\": \"fine too\"}\nbroken\n"})
	parent := t.TempDir()
	out := filepath.Join(parent, "prep")
	src, err := OpenSource("jsonl:"+filepath.Join(dir, "d.jsonl"), SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tpath := filepath.Join(dir, "tok.json")
	tok, err := TrainBPE([][]byte{[]byte("fine fine too")}, 258)
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.Save(tpath); err != nil {
		t.Fatal(err)
	}
	_, err = Prepare(out, src, PrepareOptions{Tokenizer: tpath, Format: ShardLLMC, ShardTokens: 10})
	if err == nil || !strings.Contains(err.Error(), "d.jsonl line 3") {
		t.Errorf("error %v, want one naming d.jsonl line 3", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("a failed Prepare left %v in the output's parent", entries)
	}
}

func TestPrepareOptionErrors(t *testing.T) {
	src, err := OpenSource("builtin", SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "prep")
	for _, tt := range []struct {
		opts PrepareOptions
		want string
	}{
		{PrepareOptions{Tokenizer: "bpe:70000", Format: ShardNanoGPT, ShardTokens: 10}, "70000 ids does not fit the nanogpt shard format"},
		{PrepareOptions{Tokenizer: "bpe:10", Format: ShardLLMC, ShardTokens: 10}, "bpe:VOCAB"},
		{PrepareOptions{Tokenizer: "gpt2", Format: "npy", ShardTokens: 10}, `shard format "npy"`},
		{PrepareOptions{Tokenizer: "gpt2", Format: ShardLLMC, ShardTokens: 0}, "0 tokens per shard"},
		{PrepareOptions{Tokenizer: "gpt2", Format: ShardLLMC, ShardTokens: 10, ValFraction: 1}, "validation fraction 1"},
		{PrepareOptions{Tokenizer: filepath.Join(out, "missing.json"), Format: ShardLLMC, ShardTokens: 10}, "missing.json"},
	} {
		if _, err := Prepare(out, src, tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want %q", tt.opts, err, tt.want)
		}
	}
}

// BenchmarkPrepare encodes the built-in corpus with a ready tokenizer into
// llm.c shards on all CPUs and reports input MB/s.
func BenchmarkPrepare(b *testing.B) {
	_, tok := builtinBPE(b, 4096)
	tpath := filepath.Join(b.TempDir(), "tokenizer.json")
	if err := tok.Save(tpath); err != nil {
		b.Fatal(err)
	}
	src, err := OpenSource("builtin", SourceOptions{})
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "prep")
	b.SetBytes(src.Size())
	for b.Loop() {
		if _, err := Prepare(out, src, PrepareOptions{Tokenizer: tpath, ValFraction: 0.005, Seed: 1, Format: ShardLLMC, ShardTokens: 1 << 20}); err != nil {
			b.Fatal(err)
		}
	}
}
