package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Sampling chooses the next token from the logits.
type Sampling struct {
	Temperature float64 // 0: greedy (argmax)
	Seed        uint64
}

// Generate continues prompt by n tokens. Every step recomputes the whole
// prefix (a window of prompt+n tokens padded past the prefix, which causal
// attention never reads), so its greedy output is exactly the model's argmax
// continuation.
func (m *Model) Generate(prompt []int32, n int, s Sampling) ([]int32, error) {
	if len(prompt) == 0 {
		return nil, fmt.Errorf("generate: empty prompt")
	}
	if n < 0 || s.Temperature < 0 || math.IsNaN(s.Temperature) {
		return nil, fmt.Errorf("generate: %d tokens at temperature %v: want n >= 0 and temperature >= 0", n, s.Temperature)
	}
	if err := m.checkIDs(prompt, "generate: prompt"); err != nil {
		return nil, err
	}
	total := len(prompt) + n
	if total-1 > m.Config.MaxPositionEmbeddings {
		return nil, fmt.Errorf("generate: prompt of %d tokens plus %d new needs %d positions, max_position_embeddings is %d",
			len(prompt), n, total-1, m.Config.MaxPositionEmbeddings)
	}
	if n == 0 {
		return nil, nil
	}
	seq := total - 1
	p, err := m.program(1, seq)
	if err != nil {
		return nil, err
	}
	vocab := m.Config.VocabSize
	ids := make([]int32, seq)
	targets := make([]int32, seq)
	for i := range targets {
		targets[i] = -1
	}
	copy(ids, prompt)
	logits := make([]float32, seq*vocab)
	rng := rand.New(rand.NewPCG(s.Seed, 0x9e3779b97f4a7c15))
	probs := make([]float64, vocab) // sampling scratch, reused every token
	out := make([]int32, 0, n)
	for cur := len(prompt); cur < total; cur++ {
		if err := p.SetBatch(ids, targets); err != nil {
			return nil, err
		}
		p.Run()
		if err := p.Logits(logits); err != nil {
			return nil, err
		}
		next := pick(logits[(cur-1)*vocab:cur*vocab], s.Temperature, rng, probs)
		out = append(out, next)
		if cur < seq {
			ids[cur] = next
		}
	}
	return out, nil
}

// pick samples from softmax(logits/temperature), or takes the argmax (the
// first one on ties, as torch.argmax does) at temperature 0. probs is
// scratch of len(logits).
func pick(logits []float32, temperature float64, rng *rand.Rand, probs []float64) int32 {
	best := 0
	for i, v := range logits {
		if v > logits[best] {
			best = i
		}
	}
	if temperature == 0 {
		return int32(best)
	}
	var sum float64
	for i, v := range logits {
		probs[i] = math.Exp((float64(v) - float64(logits[best])) / temperature)
		sum += probs[i]
	}
	u := rng.Float64() * sum
	for i, p := range probs {
		u -= p
		if u < 0 {
			return int32(i)
		}
	}
	return int32(best)
}
