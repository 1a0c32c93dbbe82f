package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/data"
)

// corpus writes a few small text files and returns their folder.
func corpus(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "texts")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		var b strings.Builder
		for j := range 40 + 7*i {
			fmt.Fprintf(&b, "Sentence %d of file %d says something about %s.\n", j, i, strings.Repeat("go", j%5+1))
			if j%9 == 8 {
				b.WriteString("\n")
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d.txt", i)), []byte(b.String()), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "skip.md"), []byte("not matched by the glob"), 0o666); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestPrepareEndToEnd(t *testing.T) {
	texts := corpus(t)
	out := filepath.Join(t.TempDir(), "prep", "texts") // parent created on demand
	var stderr bytes.Buffer
	err := run([]string{
		"-data", "dir:" + texts + "?glob=*.txt", "-tokenizer", "bpe:300", "-val", "0.2", "-seed", "3",
		"-out", out, "-format", "nanogpt", "-shard-tokens", "1000", "-workers", "2", "-progress=false",
	}, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "wrote "+out) {
		t.Errorf("summary missing from stderr:\n%s", stderr.String())
	}
	for _, name := range []string{"train_000000.bin", "train_000001.bin", "val_000000.bin", "tokenizer.json", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
	d, err := data.LoadDataset("bin:"+out, data.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := data.LoadDataset("dir:"+texts+"?glob=*.txt", data.DatasetOptions{Tokenizer: "bpe:300", ValFraction: 0.2, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	m := d.Manifest
	if m.Format != data.ShardNanoGPT || m.Train.Documents+m.Val.Documents != 12 || m.Val.Documents == 0 ||
		len(d.Train) != len(want.Train) || len(d.Val) != len(want.Val) {
		t.Errorf("manifest %+v and %d + %d tokens, want 12 documents in nanogpt shards and %d + %d tokens",
			m, len(d.Train), len(d.Val), len(want.Train), len(want.Val))
	}
}

func TestBadFlags(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-format", "parquet", "-out", out}, "flag -format"},
		{[]string{"-val", "1.5", "-out", out}, "flag -val"},
		{[]string{"-shard-tokens", "0", "-out", out}, "flag -shard-tokens"},
		{[]string{"-workers", "0", "-out", out}, "flag -workers"},
		{[]string{"-bad-lines", "ignore", "-out", out}, "flag -bad-lines"},
		{[]string{"-data", "builtin"}, "flag -out"},
		{[]string{"-data", "web:x", "-out", out}, "flag -data"},
		{[]string{"-data", "dir:" + filepath.Join(out, "missing"), "-out", out}, "flag -data"},
		{[]string{"-tokenizer", "bpe:12", "-out", out}, `flag -tokenizer: tokenizer "bpe:12"`},
		{[]string{"-tokenizer", filepath.Join(out, "tok.json"), "-out", out}, "flag -tokenizer"},
		{[]string{"-tokenizer", "bpe:70000", "-format", "llmc", "-out", out}, "does not fit the llmc shard format"},
		{[]string{"-nonsense", "-out", out}, "-nonsense"},
		{[]string{"-out", out, "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			err := run(tt.args, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a failed run created %s", out)
	}
}
