package scaling

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plateau-lab/plateau/internal/atomicfile"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/train"
)

// Files in a run folder besides the trainer's metrics.jsonl and model/.
const (
	RunConfigFile = "config.json" // the RunConfig, written first
	ResultFile    = "result.json" // the RunOutcome, written last
	MetricsFile   = "metrics.jsonl"
)

// Roles of a run in a sweep.
const (
	RolePoint  = "point"  // a measured (N, D) point
	RoleStable = "stable" // wsd mode's constant-LR run the points branch from; not a point
	RoleLRScan = "lrscan" // a learning-rate scan run; not a point
)

// RunConfig is everything a run is: the point it measures and every
// setting its training used, written to the run folder's config.json
// before it starts, so that a run is reproducible from its folder alone
// and a folder left by another plan is recognised.
type RunConfig struct {
	Name   string `json:"name"`
	Role   string `json:"role"`
	Preset string `json:"preset"`
	// Arch is the model family, "transformer" or "lstm" (the preset's).
	Arch string `json:"arch"`
	// Params is N, the non-embedding parameters; Width the hidden size the
	// learning-rate rule used.
	Params int64 `json:"params"`
	Width  int   `json:"width"`
	// Vocab is the vocabulary the model was built with: the data's, known
	// once the dataset is loaded (0 in a plan's expansion).
	Vocab   int `json:"vocab,omitempty"`
	Context int `json:"context"`
	Seq     int `json:"seq"`

	// Tokens is D, the tokens the run trains on: Steps x BatchTokens.
	Tokens int64 `json:"tokens"`
	// Budget is the D the plan asked for before rounding to whole steps;
	// BudgetFLOPs the IsoFLOP budget C the point belongs to, if any.
	Budget      float64 `json:"budget"`
	BudgetFLOPs float64 `json:"budget_flops,omitempty"`
	// FLOPs is C = 6ND, the compute the fits use.
	FLOPs float64 `json:"flops"`

	Steps       int `json:"steps"`
	BatchTokens int `json:"batch_tokens"`
	Batch       int `json:"batch"` // sequences per micro-batch
	Accum       int `json:"accum"` // micro-batches per step

	LR       float64 `json:"lr"`
	LRSource string  `json:"lr_source"` // "width" (HParams.WidthLR) or "lrscan"
	MinLR    float64 `json:"min_lr"`
	Warmup   int     `json:"warmup"`
	// Schedule is cosine, constant (a stable run) or wsd; a wsd point
	// leaves its Stable run at step DecayStart and decays over the rest.
	Schedule   string  `json:"schedule"`
	DecayFrac  float64 `json:"decay_frac,omitempty"`
	DecayStart int     `json:"decay_start,omitempty"`
	Stable     string  `json:"stable,omitempty"`

	WeightDecay float64 `json:"weight_decay"`
	Beta1       float64 `json:"beta1"`
	Beta2       float64 `json:"beta2"`
	ClipNorm    float64 `json:"clip_norm"`
	Seed        uint64  `json:"seed"`

	Data         string  `json:"data"`
	Tokenizer    string  `json:"tokenizer"`
	ValFrac      float64 `json:"val_frac"`
	UniqueTokens int64   `json:"unique_tokens,omitempty"`

	EvalEvery   int `json:"eval_every"`
	EvalBatches int `json:"eval_batches"`
	// FinalEvalBatches is the batches of the run's last evaluation (0: EvalBatches).
	FinalEvalBatches int `json:"final_eval_batches,omitempty"`
	SaveEvery        int `json:"save_every"`

	// NaNSkip, when set, lets the run skip batches whose loss or gradient
	// is NaN or infinite (Plan.NaNSkip, its defaults filled in); nil stops
	// the run as diverged at the first one.
	NaNSkip *NaNSkip `json:"nan_skip,omitempty"`
}

// schedule is the run's learning-rate schedule for the trainer.
func (c RunConfig) schedule() train.Schedule {
	return train.Schedule{Kind: c.Schedule, LR: c.LR, MinLR: c.MinLR, Warmup: c.Warmup, Steps: c.Steps, DecayFrac: c.DecayFrac}
}

// Statuses of a finished run in result.json. Only a done run is a point;
// a failed or diverged run is reported by LoadRuns as a problem, and a
// sweep does not retry it (remove its folder to).
const (
	StatusDone   = "done"
	StatusFailed = "failed"
	// StatusDiverged is a run stopped by a NaN or infinite loss or
	// gradient (a *train.DivergedError), or a wsd point whose stable run
	// was, before the point branched off it.
	StatusDiverged = "diverged"
)

// RunOutcome is result.json, written when a run ends: what it measured,
// or, for a failed or diverged run, the error. A folder without one is
// unfinished.
type RunOutcome struct {
	Run    string `json:"run"`
	Preset string `json:"preset"`
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	// Diverged is the diagnostic of a diverged run, nil otherwise.
	Diverged *Divergence `json:"diverged,omitempty"`
	// SkippedBatches are the batches the run dropped for a NaN or infinite
	// loss or gradient (RunConfig.NaNSkip).
	SkippedBatches int `json:"skipped_batches,omitempty"`

	Params      int64 `json:"params"`       // N, non-embedding
	TotalParams int64 `json:"total_params"` // with embeddings and head
	Tokens      int64 `json:"tokens"`       // D trained
	Steps       int   `json:"steps"`
	// FLOPs is 6ND; ModelFLOPs counts the head and attention too
	// (model.Config.FLOPsPerToken x D), the work the device did.
	FLOPs      float64 `json:"flops"`
	ModelFLOPs float64 `json:"model_flops"`

	// Loss is the final held-out loss in nats per token; ValBPB the same in
	// bits per byte of text (0 when the data has no text, as synthetic
	// data); TrainLoss the last step's training loss.
	Loss      float64 `json:"loss,omitempty"`
	ValBPB    float64 `json:"val_bpb,omitempty"`
	TrainLoss float64 `json:"train_loss,omitempty"`
	Epochs    float64 `json:"epochs,omitempty"`
	// WallS is the training time the run's steps took, for a wsd point
	// including the stable run's steps before its branch.
	WallS      float64 `json:"wall_s"`
	TokensPerS float64 `json:"tokens_per_s,omitempty"`
	// LossByPosition is the final held-out loss at each position of the
	// window, 1 to Seq tokens of context (train.Options.ByPosition).
	LossByPosition []float64 `json:"loss_by_position,omitempty"`
	Finished       string    `json:"finished"` // RFC 3339
}

// readJSONFile decodes path into v, rejecting unknown fields and trailing
// data; errors name the file.
func readJSONFile(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: data after the JSON object", path)
	}
	return nil
}

// writeJSONFile writes v as indented JSON to path atomically, calling
// writing as writeAtomic does.
func writeJSONFile(path string, v any, writing func(string)) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return writeAtomic(path, writing, func(w io.Writer) error {
		_, err := w.Write(append(raw, '\n'))
		return err
	})
}

// writeAtomic replaces path with what fn writes, atomically
// (atomicfile.Write): a reader, or a process started after a crash, sees
// the old file or the whole new one. writing, when not nil, is called
// with path once the temporary file exists (SweepOptions.Writing).
func writeAtomic(path string, writing func(string), fn func(io.Writer) error) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		if writing != nil {
			writing(path)
		}
		return fn(w)
	})
}

// readRunConfig reads dir/config.json. A folder written before runs
// recorded their family gets its preset's.
func readRunConfig(dir string) (RunConfig, error) {
	var c RunConfig
	err := readJSONFile(filepath.Join(dir, RunConfigFile), &c)
	if err == nil && c.Arch == "" {
		if f, ferr := model.PresetFamily(c.Preset); ferr == nil {
			c.Arch = f.String()
		}
	}
	return c, err
}

// readOutcome reads dir/result.json.
func readOutcome(dir string) (RunOutcome, error) {
	var o RunOutcome
	err := readJSONFile(filepath.Join(dir, ResultFile), &o)
	return o, err
}

// jsonDiff lists the top-level JSON keys in which the encodings of a and
// b differ, as "key: A vs B", sorted by key; empty when they agree.
func jsonDiff(a, b any) []string {
	ma, mb := jsonObject(a), jsonObject(b)
	keys := make([]string, 0, len(ma)+len(mb))
	for k := range ma {
		keys = append(keys, k)
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var diffs []string
	for _, k := range keys {
		if string(ma[k]) != string(mb[k]) {
			diffs = append(diffs, fmt.Sprintf("%s: %s vs %s", k, orNone(ma[k]), orNone(mb[k])))
		}
	}
	return diffs
}

// jsonObject is v's JSON encoding as a map of its fields (v is a plain
// struct, which always encodes).
func jsonObject(v any) map[string]json.RawMessage {
	raw, _ := json.Marshal(v)
	m := map[string]json.RawMessage{}
	_ = json.Unmarshal(raw, &m)
	return m
}

func orNone(r json.RawMessage) string {
	if len(r) == 0 {
		return "(none)"
	}
	return string(r)
}

// outcomeMismatch says how a finished run's result.json disagrees with its
// config.json, or "" when they agree.
func outcomeMismatch(c RunConfig, o RunOutcome) string {
	var bad []string
	if o.Run != c.Name {
		bad = append(bad, fmt.Sprintf("run %q vs name %q", o.Run, c.Name))
	}
	if o.Preset != c.Preset {
		bad = append(bad, fmt.Sprintf("preset %q vs %q", o.Preset, c.Preset))
	}
	if o.Params != c.Params {
		bad = append(bad, fmt.Sprintf("params %d vs %d", o.Params, c.Params))
	}
	if o.Status == StatusDone && o.Tokens != c.Tokens {
		bad = append(bad, fmt.Sprintf("tokens %d vs %d", o.Tokens, c.Tokens))
	}
	if o.Status == StatusDone && o.Steps != c.Steps {
		bad = append(bad, fmt.Sprintf("steps %d vs %d", o.Steps, c.Steps))
	}
	if len(bad) == 0 {
		return ""
	}
	return "result.json disagrees with config.json: " + strings.Join(bad, ", ")
}
