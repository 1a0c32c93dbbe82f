package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/ngram"
	"github.com/plateau-lab/plateau/scaling"
)

// corpus writes a folder of small text documents and returns its data
// source.
func corpus(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "docs")
	os.Mkdir(dir, 0o755)
	words := strings.Fields("the cat sat on the mat and the dog sat on the log while a bird sang in the tree, " +
		"quickly jumping over seventeen lazy foxes; zebras munch crisp vegetables beside the wharf")
	for i := range 40 {
		var b strings.Builder
		for j := range 300 {
			b.WriteString(words[(i*7+j*j)%len(words)] + " ")
		}
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%02d.txt", i)), []byte(b.String()), 0o644)
	}
	return "dir:" + dir
}

// TestNGram fits two budgets and every order, and checks that the points
// are there and that the held-out loss falls with the order on this
// repetitive text.
func TestNGram(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ngram.csv")
	err := run([]string{"-data", corpus(t), "-tokenizer", "bpe:280", "-val-frac", "0.2", "-seq", "16", "-batch", "4",
		"-eval-batches", "3", "-tokens", "2k,8k", "-order", "3", "-out", out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	points, err := ngram.ReadPoints(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 6 {
		t.Fatalf("%d points, want 2 budgets x 3 orders: %+v", len(points), points)
	}
	for i, p := range points {
		if p.Tokens != []float64{2000, 8000}[i/3] || p.Order != i%3+1 || !(p.BPB > 0) {
			t.Errorf("point %d: %+v", i, p)
		}
		if p.Order > 1 && !(p.Loss < points[i-1].Loss) {
			t.Errorf("order %d: loss %.4f, order %d: %.4f", p.Order, p.Loss, p.Order-1, points[i-1].Loss)
		}
	}
}

// TestNGramSweep takes everything from a sweep folder's plan.json and
// tokenizer.json.
func TestNGramSweep(t *testing.T) {
	src := corpus(t)
	dir := t.TempDir()
	p := scaling.DefaultPlan()
	p.Data, p.Tokenizer, p.Seq, p.ValFrac, p.MinSteps = src, "bpe:280", 16, 0.2, 1
	p.HParams.BatchTokens = 64
	p.Presets = []string{"n100k"}
	p.Tokens = []scaling.Quantity{1024, 4096}
	p.FinalEvalBatches = 3
	if err := scaling.WritePlan(filepath.Join(dir, "plan.json"), p); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-sweep", dir}, io.Discard); err == nil || !strings.Contains(err.Error(), "tokenizer.json") {
		t.Fatalf("a sweep without its tokenizer: error %v", err)
	}
	ds, err := data.LoadDataset(src, data.DatasetOptions{Tokenizer: "bpe:280", ValFraction: 0.2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := ds.Tokenizer.Save(filepath.Join(dir, model.TokenizerFile)); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-sweep", dir, "-order", "2"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	points, err := ngram.ReadPoints(filepath.Join(dir, "ngram.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 4 || points[0].Tokens != 1024 || points[3].Tokens != 4096 {
		t.Errorf("points %+v, want orders 1 and 2 at D = 1024 and 4096", points)
	}
}

func TestNGramErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-tokens", "1k"}, "flag -out"},
		{[]string{"-order", "6", "-out", "x"}, "flag -order"},
		{[]string{"-tokens", "lots", "-out", "x"}, "flag -tokens"},
		{[]string{"-sweep", "/nonexistent"}, "flag -sweep"},
		{[]string{"-data", "nosuch:x", "-out", "x"}, "flag -data"},
	} {
		if err := run(c.args, io.Discard); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.want)
		}
	}
}
