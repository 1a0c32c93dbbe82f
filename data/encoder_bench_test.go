package data

import (
	"fmt"
	"testing"
)

// BenchmarkEncodeWorkers encodes the built-in corpus with a trained 8192-token
// BPE and with GPT-2's tokenizer on 1 and 2 goroutines and reports tokens per
// second. The encoders, and so their pre-token caches, are pooled by the
// tokenizer and stay warm from one iteration to the next. Run it with
//
//	go test ./data -run '^$' -bench EncodeWorkers
func BenchmarkEncodeWorkers(b *testing.B) {
	c, trained := builtinBPE(b, 8192)
	gpt2, err := GPT2()
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		tok  *Tokenizer
	}{{"bpe8k", trained}, {"gpt2", gpt2}} {
		ntok := 0
		for _, ids := range tc.tok.EncodeAll(c.Docs, 0) {
			ntok += len(ids)
		}
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", tc.name, workers), func(b *testing.B) {
				b.SetBytes(int64(c.Bytes()))
				for b.Loop() {
					tc.tok.EncodeAll(c.Docs, workers)
				}
				b.ReportMetric(float64(ntok)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
			})
		}
	}
}
