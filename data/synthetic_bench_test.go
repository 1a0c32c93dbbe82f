package data

import (
	"math"
	"testing"
)

// BenchmarkSyntheticDoc generates documents of 65536 tokens of each preset on
// one goroutine and reports tokens per second. Run it with
//
//	go test ./data -run '^$' -bench SyntheticDoc
func BenchmarkSyntheticDoc(b *testing.B) {
	const n = 1 << 16
	for _, kind := range SyntheticKinds() {
		s, err := NewSynthetic(kind, 1)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(kind, func(b *testing.B) {
			i := uint64(0)
			for b.Loop() {
				s.Doc(i, n)
				i++
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}

// BenchmarkNewSynthetic measures building each preset's tables and computing
// its entropy rate.
func BenchmarkNewSynthetic(b *testing.B) {
	for _, kind := range SyntheticKinds() {
		b.Run(kind, func(b *testing.B) {
			for b.Loop() {
				if _, err := NewSynthetic(kind, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSyntheticEntropy is the long form of TestSyntheticEntropyAgrees:
// for each preset it averages the generator's own -log p over 1024
// documents of 65536 tokens (67M tokens) and reports the estimate, its
// standard error and its distance from the closed-form rate in standard
// errors. Run it with
//
//	go test ./data -run '^$' -bench SyntheticEntropy -benchtime 1x
func BenchmarkSyntheticEntropy(b *testing.B) {
	for _, kind := range SyntheticKinds() {
		s, err := NewSynthetic(kind, 1)
		if err != nil {
			b.Fatal(err)
		}
		h, _ := s.EntropyRate()
		b.Run(kind, func(b *testing.B) {
			var est, se float64
			for b.Loop() {
				if est, se, err = s.EstimateEntropyRate(1024, 1<<16); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(h, "closed-form-nats")
			b.ReportMetric(est, "sampled-nats")
			b.ReportMetric(se, "stderr")
			b.ReportMetric(math.Abs(est-h)/se, "stderrs-apart")
		})
	}
}
