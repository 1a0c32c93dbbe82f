package scaling

import (
	"math"

	"github.com/plateau-lab/plateau/model"

	"github.com/plateau-lab/plateau/train"
)

// HParams are the rules that give each run its hyperparameters from its
// size and length, as practitioners set them for a sweep. Every value a
// rule produces is written into the run's config.json, so a run can be
// reproduced from its own folder.
//
// The learning rate follows the width: lr = BaseLR * BaseWidth / width
// (hidden size), the 1/width scaling of Adam's update that muP derives for
// hidden matrices and that published ladders approximate; a plan can
// instead scan the learning rate per preset (Plan.LRScan). Either choice
// is part of the result: Porian et al. (2024) show that tuning the
// learning rate (and warmup, batch) per scale changes the fitted
// exponents, so compare exponents only between sweeps with the same rule.
type HParams struct {
	// BatchTokens is the tokens per optimizer step: sequences x seq x
	// accumulation. It must be a multiple of the plan's Seq.
	BatchTokens int `json:"batch_tokens"`
	// MicroBatch is the sequences per forward/backward pass; the step's
	// sequences are accumulated over BatchTokens/Seq/MicroBatch passes. 0
	// runs the whole batch in one pass.
	MicroBatch int `json:"micro_batch,omitempty"`

	// BaseLR is the peak learning rate of a model of width BaseWidth.
	BaseLR    float64 `json:"base_lr"`
	BaseWidth int     `json:"base_width"`
	// LSTMLRFactor multiplies the width rule's learning rate for an LSTM:
	// the rule was set for the transformer, and an LSTM of the same width
	// trains best at a higher rate (see DefaultHParams).
	LSTMLRFactor float64 `json:"lstm_lr_factor"`
	// MinLRFrac is the learning rate at the end of the decay, as a
	// fraction of the peak.
	MinLRFrac float64 `json:"min_lr_frac"`

	// Warmup is WarmupFrac of a run's steps, at least WarmupMin and at most
	// WarmupMax (0: no cap) steps, and never more than the run. In wsd
	// mode it is computed from the preset's shortest point, so that every
	// branch decays after the same warmup.
	WarmupFrac float64 `json:"warmup_frac"`
	WarmupMin  int     `json:"warmup_min"`
	WarmupMax  int     `json:"warmup_max"`

	// AdamW settings, the same for every size.
	WeightDecay float64 `json:"weight_decay"`
	Beta1       float64 `json:"beta1"`
	Beta2       float64 `json:"beta2"`
	ClipNorm    float64 `json:"clip_norm"`
}

// DefaultHParams are the rules a plan starts from: 8192-token batches,
// lr 3e-3 at width 128 (6e-3 for n100k, 5e-4 for n140m) and six times that
// for an LSTM, decay to a tenth of the peak, 5% warmup between 10 and 1000
// steps, and the AdamW setting of train.DefaultAdamW. The LSTM's factor
// comes from cosine runs on 1M tokens of the Go source (batches of 4096):
// lstm400k reached 3.85 nats at the width rule times 2.6, 3.68 at 5.2 and
// 3.66 at 10.5, while n400k reached 3.95 at the rule and 4.08 at twice it
// (each: cmd/prepare -data gosrc -tokenizer bpe:1024 -out P, then
// cmd/train -data bin:P -preset lstm400k -tokens 1000000 -batch 32 -seq 128
// -lr LR -min-lr LR/10 -warmup 12; 2.3e-3 is the rule's rate at d = 168).
func DefaultHParams() HParams {
	return HParams{
		BatchTokens:  8192,
		BaseLR:       3e-3,
		BaseWidth:    128,
		LSTMLRFactor: 6,
		MinLRFrac:    0.1,
		WarmupFrac:   0.05,
		WarmupMin:    10,
		WarmupMax:    1000,
		WeightDecay:  train.DefaultAdamW.WeightDecay,
		Beta1:        train.DefaultAdamW.Beta1,
		Beta2:        train.DefaultAdamW.Beta2,
		ClipNorm:     train.DefaultAdamW.ClipNorm,
	}
}

// FamilyLR is the peak learning rate of a model of the family and hidden
// size: the width rule's, times LSTMLRFactor for an LSTM.
func (h HParams) FamilyLR(f model.Family, width int) float64 {
	lr := h.WidthLR(width)
	if f == model.LSTM {
		lr *= h.LSTMLRFactor
	}
	return lr
}

// WidthLR is the width rule's peak learning rate for a model of the given
// hidden size.
func (h HParams) WidthLR(width int) float64 {
	return h.BaseLR * float64(h.BaseWidth) / float64(width)
}

// Warmup is the warmup of a run of steps steps.
func (h HParams) Warmup(steps int) int {
	w := int(math.Round(h.WarmupFrac * float64(steps)))
	w = max(w, h.WarmupMin)
	if h.WarmupMax > 0 {
		w = min(w, h.WarmupMax)
	}
	return min(w, steps)
}

// split returns the sequences per micro-batch and the micro-batches per
// step for batches of BatchTokens tokens of seq tokens each (Validate has
// checked that they divide).
func (h HParams) split(seq int) (batch, accum int) {
	seqs := h.BatchTokens / seq
	if h.MicroBatch <= 0 || h.MicroBatch >= seqs {
		return seqs, 1
	}
	return h.MicroBatch, seqs / h.MicroBatch
}

// adamW is the optimizer setting of a run: train.AdamW with its epsilon
// and these values.
func adamW(beta1, beta2, weightDecay, clipNorm float64) train.AdamW {
	return train.AdamW{Beta1: beta1, Beta2: beta2, Eps: train.DefaultAdamW.Eps, WeightDecay: weightDecay, ClipNorm: clipNorm}
}
