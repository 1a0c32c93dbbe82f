package scaling

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/plateau-lab/plateau/internal/atomicfile"
)

// Plan is a sweep over model sizes N (presets) and token budgets D: what
// data and tokenizer the runs use, which points to train, with what
// schedule and hyperparameters. It is read from a JSON file (ReadPlan) or
// built from cmd/sweep's flags, and Expand turns it into numbered runs.
//
// The points are the grid Presets x Tokens, plus, for each IsoFLOP budget
// C in FLOPs, the run of each preset with D = C / (6N) (N the preset's
// non-embedding parameters).
type Plan struct {
	// Data is the training data, as cmd/train's -data: builtin, gosrc,
	// dir:PATH, jsonl:PATH, bin:PATH or synthetic:KIND[?params].
	Data string `json:"data"`
	// Tokenizer is bpe:VOCAB (trained on the training split), gpt2 or a
	// tokenizer.json path; synthetic data ignores it.
	Tokenizer string `json:"tokenizer"`
	// ValFrac is the fraction of documents held out for the validation
	// loss every point reports.
	ValFrac float64 `json:"val_frac"`
	// Seq is the context length runs train at.
	Seq int `json:"seq"`
	// Context is the models' max_position_embeddings; 0 means
	// max(Seq, 256), what cmd/train uses.
	Context int `json:"context,omitempty"`

	// Presets are the model sizes (model.AllPresetNames()), the N axis.
	Presets []string `json:"presets"`
	// Arch lists the model families to train ("transformer", "lstm"; a
	// plan file may give one name or a list): each preset then names a
	// rung of the ladder, trained as every listed family's preset of that
	// rung (model.MatchedPreset: n2m and lstm2m), so the families meet at
	// the same N, budgets and hyperparameter rules. Empty trains each
	// preset as it is.
	Arch Archs `json:"arch,omitempty"`
	// Tokens are token budgets D, each trained by every preset.
	Tokens []Quantity `json:"tokens,omitempty"`
	// FLOPs are IsoFLOP budgets C: each preset trains D = C / (6N).
	FLOPs []Quantity `json:"flops,omitempty"`
	// MinSteps drops a point (with a note) whose budget gives fewer
	// optimizer steps than this.
	MinSteps int `json:"min_steps"`

	// Mode is "cosine" (one run per point, its cosine decay ending at the
	// point's own D) or "wsd" (warmup-stable-decay, Hägele et al. 2024: per
	// preset one constant-LR run to the largest D, with a linear decay of
	// DecayFrac of the steps branched off at every smaller D).
	Mode string `json:"mode"`
	// DecayFrac is the fraction of a wsd point's steps spent decaying.
	DecayFrac float64 `json:"decay_frac"`

	// Seed seeds initialisation, batch order and the data split.
	Seed uint64 `json:"seed"`
	// UniqueTokens caps the training tokens runs draw from (the first
	// UniqueTokens of the stream); a larger budget repeats them in epochs.
	// 0 uses all.
	UniqueTokens Quantity `json:"unique_tokens,omitempty"`

	// HParams are the per-size hyperparameter rules.
	HParams HParams `json:"hparams"`
	// LRScan, when set, replaces the width rule's learning rate by the
	// best of a short scan per preset (see LRScan).
	LRScan *LRScan `json:"lr_scan,omitempty"`

	// EvalsPerRun is how many validation passes a run makes (the loss
	// curve's resolution); EvalBatches is the batches per pass.
	EvalsPerRun int `json:"evals_per_run"`
	EvalBatches int `json:"eval_batches"`
	// FinalEvalBatches is the batches of the evaluation at the end of each
	// run, the loss the fits use: more than EvalBatches makes that number
	// more precise at the cost of one longer pass. 0 uses EvalBatches.
	FinalEvalBatches int `json:"final_eval_batches,omitempty"`
	// SavesPerRun is how many checkpoints a run writes, so that an
	// interrupted run loses at most 1/SavesPerRun of its work.
	SavesPerRun int `json:"saves_per_run"`

	// NaNSkip, when set, lets runs skip batches whose loss or gradient is
	// NaN or infinite, lowering the learning rate (see NaNSkip); nil stops
	// such a run, which the sweep records as diverged.
	NaNSkip *NaNSkip `json:"nan_skip,omitempty"`
}

// Modes lists the values of Plan.Mode.
var Modes = []string{"cosine", "wsd"}

// DefaultPlan returns a plan with every setting at its default and no
// presets or budgets: a small sweep on the built-in corpus with a BPE of
// 1024 tokens at context 256, batches of 8192 tokens, cosine schedules.
func DefaultPlan() Plan {
	return Plan{
		Data:        "builtin",
		Tokenizer:   "bpe:1024",
		ValFrac:     0.05,
		Seq:         256,
		MinSteps:    50,
		Mode:        "cosine",
		DecayFrac:   0.2,
		Seed:        1,
		HParams:     DefaultHParams(),
		EvalsPerRun: 10,
		EvalBatches: 8,
		SavesPerRun: 10,
	}
}

// ReadPlan reads a plan file: the JSON object of a Plan, whose absent
// fields take DefaultPlan's values. Unknown fields and a plan that does
// not Validate are errors naming the file and the field.
func ReadPlan(path string) (Plan, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Plan{}, fmt.Errorf("read plan: %w", err)
	}
	p, err := DecodePlan(bytes.NewReader(raw))
	if err != nil {
		return Plan{}, fmt.Errorf("plan %s: %w", path, err)
	}
	return p, nil
}

// DecodePlan is ReadPlan on a reader.
func DecodePlan(r io.Reader) (Plan, error) {
	p := DefaultPlan()
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Plan{}, fmt.Errorf("parse: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Plan{}, errors.New("parse: data after the plan's JSON object")
	}
	if err := p.Validate(); err != nil {
		return Plan{}, err
	}
	return p, nil
}

// MarshalIndent is the plan as the JSON a plan file holds, every field
// written, so that two plans compare by their bytes.
func (p Plan) MarshalIndent() ([]byte, error) {
	raw, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	return append(raw, '\n'), nil
}

// WritePlan writes p to path atomically (a temporary file renamed into
// place).
func WritePlan(path string, p Plan) error {
	raw, err := p.MarshalIndent()
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(raw)
		return err
	})
}
