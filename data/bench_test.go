package data

import (
	"fmt"
	"testing"
)

// builtinBPE returns the built-in corpus and a BPE of vocab ids trained on
// it, the fixture of the encoding benchmarks.
func builtinBPE(b *testing.B, vocab int) (*Corpus, *Tokenizer) {
	b.Helper()
	c, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	tok, err := TrainBPE(c.Docs, vocab)
	if err != nil {
		b.Fatal(err)
	}
	return c, tok
}

func BenchmarkTrainBPE(b *testing.B) {
	c, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	for _, vocab := range []int{512, 4096} {
		b.Run(fmt.Sprintf("vocab=%d", vocab), func(b *testing.B) {
			b.SetBytes(int64(c.Bytes()))
			for b.Loop() {
				if _, err := TrainBPE(c.Docs, vocab); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncode encodes the built-in corpus with a 4096-token vocabulary,
// one document at a time and across all CPUs, and reports tokens per second.
func BenchmarkEncode(b *testing.B) {
	c, tok := builtinBPE(b, 4096)
	ntok := len(Tokenize(tok, c.Docs, 0))
	report := func(b *testing.B) {
		b.ReportMetric(float64(ntok)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
	}
	b.Run("serial", func(b *testing.B) {
		b.SetBytes(int64(c.Bytes()))
		for b.Loop() {
			for _, d := range c.Docs {
				tok.Encode(d)
			}
		}
		report(b)
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetBytes(int64(c.Bytes()))
		for b.Loop() {
			tok.EncodeAll(c.Docs, 0)
		}
		report(b)
	})
}

func BenchmarkBatch(b *testing.B) {
	bt, err := NewBatcher(iota32(1<<20), 32, 256, 1)
	if err != nil {
		b.Fatal(err)
	}
	ids, targets := make([]int32, 32*256), make([]int32, 32*256)
	i := 0
	for b.Loop() {
		bt.Batch(i, ids, targets)
		i++
	}
}
