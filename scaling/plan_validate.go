package scaling

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/model"
)

// PlanFieldError is a setting of a plan that cannot run. Field is its
// JSON key (hparams.base_lr, tokens[2]), so that a command can name the
// flag that set it.
type PlanFieldError struct {
	Field, Problem string
}

// Error is `field "KEY": PROBLEM`.
func (e *PlanFieldError) Error() string { return fmt.Sprintf("field %q: %s", e.Field, e.Problem) }

func planFieldError(field, format string, args ...any) error {
	return &PlanFieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// Validate reports the first setting of the plan that cannot run, naming
// its field: unknown or repeated presets (listing the valid ones), budgets
// that are not positive finite numbers or appear twice, a sequence longer
// than the models' context, batches that do not divide, rules out of
// range. Validate looks at the plan alone; Expand also rejects budgets
// that round to the same run.
func (p Plan) Validate() error {
	for _, check := range []func() error{p.validateData, p.validatePoints, p.validateSchedule, p.validateHParams, p.validateScan} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (p Plan) validateData() error {
	switch {
	case strings.TrimSpace(p.Data) == "":
		return planFieldError("data", "empty, want builtin, gosrc, dir:PATH, jsonl:PATH, bin:PATH or synthetic:KIND")
	case strings.TrimSpace(p.Tokenizer) == "":
		return planFieldError("tokenizer", "empty, want bpe:VOCAB, gpt2 or a tokenizer.json path")
	case !(p.ValFrac >= 0 && p.ValFrac < 1):
		return planFieldError("val_frac", "%v, want a fraction in [0, 1)", p.ValFrac)
	case p.Seq <= 0:
		return planFieldError("seq", "%d, want a positive number of tokens", p.Seq)
	case p.Context < 0:
		return planFieldError("context", "%d, want a positive max_position_embeddings (0: max(seq, 256))", p.Context)
	case p.Context > 0 && p.Seq > p.Context:
		return planFieldError("seq", "%d is longer than the models allow (context %d)", p.Seq, p.Context)
	case !(p.UniqueTokens >= 0) || math.IsInf(float64(p.UniqueTokens), 0):
		return planFieldError("unique_tokens", "%v, want a number of tokens >= 0 (0: all)", float64(p.UniqueTokens))
	case p.UniqueTokens > 0 && float64(p.UniqueTokens) < float64(p.Seq+1):
		return planFieldError("unique_tokens", "%v is less than one sequence of seq+1 = %d tokens", float64(p.UniqueTokens), p.Seq+1)
	}
	if n, ok := strings.CutPrefix(p.Tokenizer, "bpe:"); ok {
		if v, err := strconv.Atoi(n); err != nil || v < data.MinVocabSize {
			return planFieldError("tokenizer", "%q, want bpe:VOCAB with VOCAB an integer >= %d", p.Tokenizer, data.MinVocabSize)
		}
	}
	return nil
}

func (p Plan) validatePoints() error {
	if len(p.Presets) == 0 {
		return planFieldError("presets", "empty, want one or more of %s", strings.Join(model.AllPresetNames(), ", "))
	}
	for i, name := range p.Presets {
		if _, err := model.Preset(name, data.MinVocabSize, max(p.Seq, 1)); err != nil {
			return planFieldError(fmt.Sprintf("presets[%d]", i), "%v", err)
		}
		if j := slices.Index(p.Presets, name); j < i {
			return planFieldError(fmt.Sprintf("presets[%d]", i), "%q repeats presets[%d]", name, j)
		}
	}
	for i, a := range p.Arch {
		if _, err := model.ParseFamily(a); err != nil {
			return planFieldError(fmt.Sprintf("arch[%d]", i), "%v", err)
		}
		if j := slices.Index(p.Arch, a); j < i {
			return planFieldError(fmt.Sprintf("arch[%d]", i), "%q repeats arch[%d]", a, j)
		}
	}
	if _, err := p.runPresets(); err != nil {
		return err
	}
	if len(p.Tokens) == 0 && len(p.FLOPs) == 0 {
		return planFieldError("tokens", "no token budgets and no IsoFLOP budgets (field flops): want at least one")
	}
	for _, list := range []struct {
		field string
		v     []Quantity
	}{{"tokens", p.Tokens}, {"flops", p.FLOPs}} {
		for i, q := range list.v {
			if !positiveFinite(float64(q)) {
				return planFieldError(fmt.Sprintf("%s[%d]", list.field, i), "%v, want a positive finite number", float64(q))
			}
			if j := slices.Index(list.v, q); j < i {
				return planFieldError(fmt.Sprintf("%s[%d]", list.field, i), "%v repeats %s[%d]: duplicate point", float64(q), list.field, j)
			}
		}
	}
	if p.MinSteps < 1 {
		return planFieldError("min_steps", "%d, want at least 1", p.MinSteps)
	}
	return nil
}

func (p Plan) validateSchedule() error {
	switch {
	case !slices.Contains(Modes, p.Mode):
		return planFieldError("mode", "%q, want one of %s", p.Mode, strings.Join(Modes, ", "))
	case p.Mode == "wsd" && !(p.DecayFrac > 0 && p.DecayFrac < 1):
		return planFieldError("decay_frac", "%v, want a fraction in (0, 1) of each point's steps", p.DecayFrac)
	case p.EvalsPerRun < 0:
		return planFieldError("evals_per_run", "%d, want >= 0 (0: only at the end)", p.EvalsPerRun)
	case p.EvalBatches < 1:
		return planFieldError("eval_batches", "%d, want at least 1", p.EvalBatches)
	case p.FinalEvalBatches < 0:
		return planFieldError("final_eval_batches", "%d, want >= 0 (0: eval_batches)", p.FinalEvalBatches)
	case p.SavesPerRun < 0:
		return planFieldError("saves_per_run", "%d, want >= 0 (0: only at the end)", p.SavesPerRun)
	}
	return p.NaNSkip.validate()
}

func (h HParams) validate() error {
	switch {
	case h.BatchTokens <= 0:
		return planFieldError("hparams.batch_tokens", "%d, want a positive number of tokens", h.BatchTokens)
	case h.MicroBatch < 0:
		return planFieldError("hparams.micro_batch", "%d, want a number of sequences >= 0 (0: the whole batch)", h.MicroBatch)
	case !positiveFinite(h.BaseLR):
		return planFieldError("hparams.base_lr", "%v, want a positive finite learning rate", h.BaseLR)
	case h.BaseWidth <= 0:
		return planFieldError("hparams.base_width", "%d, want a positive hidden size", h.BaseWidth)
	case !positiveFinite(h.LSTMLRFactor):
		return planFieldError("hparams.lstm_lr_factor", "%v, want a positive finite factor", h.LSTMLRFactor)
	case !(h.MinLRFrac >= 0 && h.MinLRFrac < 1):
		return planFieldError("hparams.min_lr_frac", "%v, want a fraction of the peak in [0, 1)", h.MinLRFrac)
	case !(h.WarmupFrac >= 0 && h.WarmupFrac < 1):
		return planFieldError("hparams.warmup_frac", "%v, want a fraction of the steps in [0, 1)", h.WarmupFrac)
	case h.WarmupMin < 0:
		return planFieldError("hparams.warmup_min", "%d, want a number of steps >= 0", h.WarmupMin)
	case h.WarmupMax < 0 || (h.WarmupMax > 0 && h.WarmupMax < h.WarmupMin):
		return planFieldError("hparams.warmup_max", "%d, want 0 (no cap) or at least warmup_min %d", h.WarmupMax, h.WarmupMin)
	}
	if err := adamW(h.Beta1, h.Beta2, h.WeightDecay, h.ClipNorm).Validate(); err != nil {
		return planFieldError("hparams", "%v", err)
	}
	return nil
}

// validateBatch checks that batches of BatchTokens split into sequences of
// seq and micro-batches of MicroBatch.
func (h HParams) validateBatch(seq int) error {
	if h.BatchTokens%seq != 0 {
		return planFieldError("hparams.batch_tokens", "%d is not a multiple of seq %d", h.BatchTokens, seq)
	}
	if seqs := h.BatchTokens / seq; h.MicroBatch > 0 && seqs%h.MicroBatch != 0 {
		return planFieldError("hparams.micro_batch", "%d does not divide the %d sequences of a batch (batch_tokens / seq)", h.MicroBatch, seqs)
	}
	return nil
}

func (p Plan) validateHParams() error {
	if err := p.HParams.validate(); err != nil {
		return err
	}
	return p.HParams.validateBatch(p.Seq)
}

func (p Plan) validateScan() error {
	s := p.LRScan
	switch {
	case s == nil:
		return nil
	case s.Points < 0 || s.Points == 1:
		return planFieldError("lr_scan.points", "%d, want 2 or more learning rates (0: 5)", s.Points)
	case s.Spread != 0 && !(s.Spread > 1 && !math.IsInf(s.Spread, 0)):
		return planFieldError("lr_scan.spread", "%v, want a factor > 1 (0: 4)", s.Spread)
	case !(s.Tokens >= 0) || math.IsInf(float64(s.Tokens), 0):
		return planFieldError("lr_scan.tokens", "%v, want a positive budget (0: each preset's smallest point)", float64(s.Tokens))
	}
	return nil
}
