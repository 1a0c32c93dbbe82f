package scaling

import (
	"encoding/csv"
	"io"
	"path/filepath"
	"strconv"
)

// ResultColumns are the columns of results.csv. arch is the model family;
// params, tokens, flops and
// loss are N (non-embedding), D, C = 6ND and the held-out loss in nats per
// token, the columns ReadPoints reads; status is done, failed, diverged,
// unfinished (a checkpoint but no result) or pending, and only done rows
// have a loss. skipped_batches counts the batches a run dropped for a NaN
// or Inf (Plan.NaNSkip); diverged_step, diverged_tensor and last_good_loss
// are a diverged run's diagnostic (Divergence).
var ResultColumns = []string{
	"run", "preset", "arch", "params", "tokens", "flops", "budget_flops", "loss", "val_bpb", "train_loss",
	"steps", "lr", "schedule", "wall_s", "status", "error",
	"skipped_batches", "diverged_step", "diverged_tensor", "last_good_loss",
}

// writeResults rewrites OUT/results.csv atomically with one row per point
// of the plan, read from the run folders: the table is whole after every
// run, and cluster tasks that share the folder each write the complete
// table they see.
func (s *Sweep) writeResults() error {
	path := filepath.Join(s.opt.Out, ResultsFile)
	return writeAtomic(path, s.opt.Writing, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(ResultColumns); err != nil {
			return err
		}
		for _, c := range s.exp.Points {
			if err := cw.Write(s.resultRow(c)); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
}

// resultRow is point c's row of results.csv.
func (s *Sweep) resultRow(c RunConfig) []string {
	dir := s.runDir(c)
	if got, err := readRunConfig(dir); err == nil && got.Name == c.Name {
		c = got // with the learning rate a scan chose
	}
	num := func(v float64) string {
		if v == 0 {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	row := map[string]string{
		"run": c.Name, "preset": c.Preset, "arch": c.Arch, "params": strconv.FormatInt(c.Params, 10),
		"tokens": strconv.FormatInt(c.Tokens, 10), "flops": num(c.FLOPs), "budget_flops": num(c.BudgetFLOPs),
		"steps": strconv.Itoa(c.Steps), "lr": num(c.LR), "schedule": c.Schedule, "status": "pending",
	}
	if o, err := readOutcome(dir); err == nil && outcomeMismatch(c, o) == "" {
		row["status"], row["error"] = o.Status, o.Error
		row["loss"], row["val_bpb"], row["train_loss"] = num(o.Loss), num(o.ValBPB), num(o.TrainLoss)
		row["wall_s"] = strconv.FormatFloat(o.WallS, 'f', 2, 64)
		if o.SkippedBatches > 0 {
			row["skipped_batches"] = strconv.Itoa(o.SkippedBatches)
		}
		if d := o.Diverged; d != nil {
			row["diverged_step"], row["diverged_tensor"] = strconv.Itoa(d.Step), d.Tensor
			if d.LastLoss != nil {
				row["last_good_loss"] = strconv.FormatFloat(*d.LastLoss, 'g', -1, 64)
			}
		}
	} else if at, err := checkpointStep(dir); err == nil && at > 0 {
		row["status"] = "unfinished"
	}
	out := make([]string, len(ResultColumns))
	for i, k := range ResultColumns {
		out[i] = row[k]
	}
	return out
}
