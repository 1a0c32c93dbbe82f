package data

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// syntheticValBase is the index of the first synthetic validation
// document; training documents count up from 0 and never reach it.
const syntheticValBase = 1 << 62

// maxSyntheticTokens bounds the train, val and doc parameters of a
// synthetic spec: the streams are held in memory (4 bytes a token).
const maxSyntheticTokens = 1 << 34

// EntropyRate is the entropy rate in nats per token of the source a data
// spec names, without generating it: the closed-form rate for
// synthetic:KIND (with its seed and, for rules, its shape), 0 for every
// other source, whose entropy is unknown. The fits compare their
// irreducible loss E with it.
func EntropyRate(spec string) (float64, error) {
	s, err := parseSpec(spec)
	if err != nil || s.kind != "synthetic" {
		return 0, err
	}
	syn, _, err := syntheticFromSpec(s)
	if err != nil {
		return 0, err
	}
	h, _ := syn.EntropyRate()
	return h, nil
}

// rulesParams are the parameters of a synthetic spec that shape the rules
// kind (RulesConfig) and no other.
var rulesParams = []string{"rules", "zipf", "symbols", "segment", "noise"}

// syntheticFromSpec builds the source a synthetic:KIND spec names, and
// returns its seed.
func syntheticFromSpec(s sourceSpec) (*Synthetic, int64, error) {
	seed, err := s.intParam("seed", 1, 0, math.MaxInt64)
	if err != nil {
		return nil, 0, err
	}
	if s.path != RulesKind {
		for _, name := range rulesParams {
			if _, ok := s.params[name]; ok {
				return nil, 0, fmt.Errorf("data %q: parameter %s shapes synthetic:%s only", s.raw, name, RulesKind)
			}
		}
		syn, err := NewSynthetic(s.path, uint64(seed))
		if err != nil {
			return nil, 0, fmt.Errorf("data %q: %w", s.raw, err)
		}
		return syn, seed, nil
	}
	cfg := DefaultRules()
	ints := []struct {
		name string
		v    *int
	}{{"rules", &cfg.Rules}, {"symbols", &cfg.Symbols}, {"segment", &cfg.Segment}}
	for _, p := range ints {
		n, err := s.intParam(p.name, int64(*p.v), 1, 1<<30)
		if err != nil {
			return nil, 0, err
		}
		*p.v = int(n)
	}
	if cfg.Zipf, err = s.floatParam("zipf", cfg.Zipf); err != nil {
		return nil, 0, err
	}
	if cfg.Noise, err = s.floatParam("noise", cfg.Noise); err != nil {
		return nil, 0, err
	}
	syn, err := NewRules(cfg, uint64(seed))
	if err != nil {
		return nil, 0, fmt.Errorf("data %q: %w", s.raw, err)
	}
	return syn, seed, nil
}

// loadSynthetic generates the training and validation streams of a
// synthetic:KIND spec.
func loadSynthetic(s sourceSpec, opts DatasetOptions) (*Dataset, error) {
	train, err := s.intParam("train", 1<<24, 1, maxSyntheticTokens)
	if err != nil {
		return nil, err
	}
	val, err := s.intParam("val", 1<<18, 0, maxSyntheticTokens)
	if err != nil {
		return nil, err
	}
	// A rules split is one document by default, so that every window of
	// a multiple of the segment length starts at a segment.
	defDoc := int64(2048)
	if s.path == RulesKind {
		defDoc = max(train, val)
	}
	doc, err := s.intParam("doc", defDoc, 1, maxSyntheticTokens)
	if err != nil {
		return nil, err
	}
	syn, seed, err := syntheticFromSpec(s)
	if err != nil {
		return nil, err
	}
	rate, _ := syn.EntropyRate()
	d := &Dataset{
		VocabSize:   syn.VocabSize(),
		EntropyRate: rate,
		Train:       syntheticStream(syn, 0, int(train), int(doc), opts.Workers),
		Val:         syntheticStream(syn, syntheticValBase, int(val), int(doc), opts.Workers),
	}
	d.Description = fmt.Sprintf("%s: synthetic %s (seed %d, entropy rate %.4f nats/token), %d + %d tokens in documents of %d, vocabulary %d",
		s.raw, s.path, seed, rate, len(d.Train), len(d.Val), doc, d.VocabSize)
	return d, nil
}

// syntheticStream returns n tokens: documents first, first+1, ... of
// docLen tokens each, with the end-of-text id between them, the last one
// cut short (only its kept prefix is generated: a document's first tokens
// do not depend on its length). Documents are generated on workers
// goroutines (all CPUs when workers <= 0); the result does not depend on
// their number.
func syntheticStream(syn *Synthetic, first uint64, n, docLen, workers int) []int32 {
	out := make([]int32, n)
	stride := docLen + 1 // a document and the end-of-text id after it
	docs := (n + stride - 1) / stride
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var (
		wg   sync.WaitGroup
		next atomic.Int64
	)
	for range min(workers, max(docs, 1)) {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < docs; k = int(next.Add(1) - 1) {
				at := k * stride
				end := min(at+docLen, n)
				copy(out[at:end], syn.Doc(first+uint64(k), end-at))
				if at+docLen < n {
					out[at+docLen] = syn.EOT()
				}
			}
		})
	}
	wg.Wait()
	return out
}
