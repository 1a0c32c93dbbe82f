package kernels

import (
	"fmt"
	"math"

	"github.com/plateau-lab/plateau/kernels/cpu"
)

// RowLosses sets dst[r] ([batch*seq]) to the loss in nats of row r of the
// last Run, logsumexp(logits[r]) - logits[r, targets[r]], and NaN where
// targets[r] < 0; targets are the ones given to the last SetBatch. The
// program must keep its logits (Options.Logits). The logits are downloaded
// and the log-sum-exps taken on the host (summed in float64), into buffers
// kept for the next call.
func (p *Program) RowLosses(dst []float64, targets []int32) error {
	rows, vocab := p.graph.Rows(), p.graph.Config.VocabSize
	if len(dst) != rows || len(targets) != rows {
		return fmt.Errorf("row losses: %d slots and %d targets for %d rows", len(dst), len(targets), rows)
	}
	if len(p.hostLogits) != rows*vocab {
		p.hostLogits, p.hostLSE = make([]float32, rows*vocab), make([]float32, rows)
	}
	if err := p.Logits(p.hostLogits); err != nil {
		return err
	}
	cpu.CrossEntropyForward(nil, p.hostLSE, p.hostLogits, targets, vocab)
	for r, tg := range targets {
		if tg < 0 {
			dst[r] = math.NaN()
			continue
		}
		dst[r] = float64(p.hostLSE[r]) - float64(p.hostLogits[r*vocab+int(tg)])
	}
	return nil
}

// PositionLosses sums row losses by their position in the window (row r of
// a batch of windows of Seq tokens is position r % Seq), over any number
// of batches: the loss as a function of how much context a token has, as
// Kaplan et al. (2020, figure 20) plot it.
type PositionLosses struct {
	Seq   int
	sum   []float64
	count []int
}

// Add adds one batch of row losses; NaN rows (no target) are skipped.
func (a *PositionLosses) Add(rows []float64) {
	if a.sum == nil {
		a.sum, a.count = make([]float64, a.Seq), make([]int, a.Seq)
	}
	for r, l := range rows {
		if !math.IsNaN(l) {
			a.sum[r%a.Seq] += l
			a.count[r%a.Seq]++
		}
	}
}

// Mean is the mean loss at each position 0..Seq-1 (position t predicts
// token t+1 from t+1 tokens of context); NaN where nothing was added.
func (a *PositionLosses) Mean() []float64 {
	out := make([]float64, a.Seq)
	for t := range out {
		out[t] = math.NaN()
		if t < len(a.count) && a.count[t] > 0 {
			out[t] = a.sum[t] / float64(a.count[t])
		}
	}
	return out
}
