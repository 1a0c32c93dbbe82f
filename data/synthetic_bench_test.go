package data

import "testing"

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
