package infer

import "fmt"

// generateFull is greedy decoding without a cache: every step runs the
// compiled forward program over the whole prefix (a window of prompt+n-1
// tokens padded past the prefix, which causal attention never reads). It is
// the reference the KV-cache path is tested against.
func (m *Model) generateFull(prompt []int32, n int) ([]int32, error) {
	if len(prompt) == 0 || n <= 0 {
		return nil, fmt.Errorf("generate: %d prompt tokens and %d new: want both positive", len(prompt), n)
	}
	if err := m.checkIDs(prompt, "generate: prompt"); err != nil {
		return nil, err
	}
	seq := len(prompt) + n - 1
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
	greedy := newSampler(Sampling{}, vocab, 0)
	out := make([]int32, 0, n)
	for cur := len(prompt); cur <= seq; cur++ {
		if err := p.SetBatch(ids, targets); err != nil {
			return nil, err
		}
		p.Run()
		if err := p.Logits(logits); err != nil {
			return nil, err
		}
		next := greedy.next(logits[(cur-1)*vocab : cur*vocab])
		out = append(out, next)
		if cur < seq {
			ids[cur] = next
		}
	}
	return out, nil
}
