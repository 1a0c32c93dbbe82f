package scaling

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/plateau-lab/plateau/internal/atomicfile"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/train"
)

// runFailure is a run's own failure (the trainer's error, such as
// divergence): it is recorded in the run's result.json and the sweep goes
// on. Any other error (the file system, a folder from another plan) stops
// the sweep.
type runFailure struct{ err error }

// Error is the trainer's error.
func (f *runFailure) Error() string { return f.err.Error() }

// Unwrap gives the trainer's error.
func (f *runFailure) Unwrap() error { return f.err }

// claim makes run c's folder and checks it against the plan: a
// config.json there must describe c (else the folder belongs to another
// plan, an error). It returns the run's outcome when result.json holds a
// valid one, nil when the run is still to do. c.Vocab is filled from the
// folder's config.json when the plan does not know it yet.
func (s *Sweep) claim(c *RunConfig, dir string) (*RunOutcome, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("run folder: %w", err)
	}
	old, err := readRunConfig(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("run folder %s: %w; remove the folder to rerun it", dir, err)
	}
	if c.Vocab == 0 {
		c.Vocab = old.Vocab
	}
	if d := jsonDiff(old, *c); len(d) > 0 {
		return nil, fmt.Errorf("run folder %s: its config.json differs from the plan's run (%s): it was written by another plan; "+
			"remove the folder to rerun it with this plan, or use another -out", dir, strings.Join(d, "; "))
	}
	o, err := readOutcome(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		s.prog.note("%s: unreadable result.json (%v): running it again", c.Name, err)
		return nil, nil
	}
	if m := outcomeMismatch(*c, o); m != "" {
		s.prog.note("%s: %s: running it again", c.Name, m)
		return nil, nil
	}
	return &o, nil
}

// runPoint runs a point or scan run from its own checkpoint (or from
// scratch) to the end and records its outcome.
func (s *Sweep) runPoint(c RunConfig) (RunOutcome, error) {
	dir := s.runDir(c)
	done, err := s.claim(&c, dir)
	if err != nil || done != nil {
		if done != nil {
			s.skip(c, *done)
			return *done, nil
		}
		return RunOutcome{}, err
	}
	s.prog.starting(c)
	return s.trainAndRecord(c, dir)
}

// trainAndRecord trains c in dir (resuming) and writes its result.json.
func (s *Sweep) trainAndRecord(c RunConfig, dir string) (RunOutcome, error) {
	res, cfg, err := s.train(&c, dir, 0)
	var fail *runFailure
	if err != nil && !errors.As(err, &fail) {
		return RunOutcome{}, err
	}
	return s.record(c, dir, cfg, res, err)
}

// train trains run c in dir to its end, or to step stopAt when it is not
// 0, resuming from the checkpoint in dir/model. The trainer's own errors
// come back as *runFailure. It writes config.json first when it is not
// there.
func (s *Sweep) train(c *RunConfig, dir string, stopAt int) (train.Result, model.Config, error) {
	ds, err := s.dataset()
	if err != nil {
		return train.Result{}, model.Config{}, err
	}
	if c.Vocab != 0 && c.Vocab != ds.VocabSize {
		return train.Result{}, model.Config{}, fmt.Errorf("run folder %s: config.json has vocab %d, the data now has %d token ids; remove the folder to rerun it", dir, c.Vocab, ds.VocabSize)
	}
	c.Vocab = ds.VocabSize
	if err := ensureConfig(*c, dir, s.opt.Writing); err != nil {
		return train.Result{}, model.Config{}, err
	}
	cfg, err := model.Preset(c.Preset, c.Vocab, c.Context)
	if err != nil {
		return train.Result{}, cfg, err
	}
	opt := train.Options{
		Batch: c.Batch, Seq: c.Seq, Accum: c.Accum, Steps: c.Steps,
		Schedule: c.schedule(), AdamW: adamW(c.Beta1, c.Beta2, c.WeightDecay, c.ClipNorm), Seed: c.Seed,
		UniqueTokens: int(c.UniqueTokens),
		EvalEvery:    c.EvalEvery, EvalBatches: c.EvalBatches, FinalEvalBatches: c.FinalEvalBatches, SaveEvery: c.SaveEvery,
		ByPosition: c.Role == RolePoint,
		LogEvery:   stepInterval(c.Steps, 20),
		StopAt:     stopAt,
		Out:        dir, Resume: true, Log: s.prog.runLog(c.Name),
		OnNaN: c.NaNSkip.policy(), OpenFile: s.opt.OpenFile,
	}
	from, err := recoverCheckpoint(dir)
	if err != nil {
		return train.Result{}, cfg, err
	}
	d := train.Data{Train: ds.Train, Val: ds.Val, ValBytesPerToken: ds.ValBytesPerToken, Tokenizer: ds.Tokenizer}
	t0 := time.Now()
	tr, err := train.New(s.dev, cfg, d, opt)
	if err != nil {
		return train.Result{}, cfg, &runFailure{err}
	}
	res, err := tr.Run()
	tr.Close()
	if res.Steps > from {
		s.trained += res.Steps - from
		s.prog.trained(s.modelFLOPs(*c, res.Steps-from), time.Since(t0))
	}
	if err != nil {
		return res, cfg, &runFailure{err}
	}
	return res, cfg, nil
}

// record writes run c's result.json from the trainer's result, or from
// its failure (diverged when runErr holds a *train.DivergedError), and
// returns it.
func (s *Sweep) record(c RunConfig, dir string, cfg model.Config, res train.Result, runErr error) (RunOutcome, error) {
	o := RunOutcome{
		Run: c.Name, Preset: c.Preset, Status: StatusDone,
		Params: c.Params, Tokens: res.Tokens, Steps: res.Steps,
		FLOPs: 6 * float64(c.Params) * float64(res.Tokens), WallS: res.WallS, TokensPerS: res.TokensPerS, Epochs: res.Epochs,
		Finished: time.Now().UTC().Format(time.RFC3339),
	}
	if cfg.VocabSize > 0 {
		o.TotalParams = cfg.Params()
		o.ModelFLOPs = cfg.FLOPsPerToken(c.Seq) * float64(res.Tokens)
	}
	if runErr == nil {
		recs, err := train.ReadMetricsFile(filepath.Join(dir, MetricsFile))
		if err != nil {
			return o, err
		}
		o.Loss, o.ValBPB, o.LossByPosition = res.ValLoss, res.ValBPB, res.ValLossByPosition
		o.TrainLoss = lastTrainLoss(recs, res.Steps)
		if len(recs) > 0 {
			o.SkippedBatches = recs[len(recs)-1].SkippedBatches
		}
		if res.Steps != c.Steps || !positiveFinite(o.Loss) {
			runErr = fmt.Errorf("run ended at step %d of %d with held-out loss %v", res.Steps, c.Steps, o.Loss)
		}
	}
	if c.Vocab == 0 && s.ds != nil {
		c.Vocab = s.ds.VocabSize
	}
	if err := ensureConfig(c, dir, s.opt.Writing); err != nil {
		return o, err
	}
	if runErr != nil {
		o.Status, o.Error = StatusFailed, runErr.Error()
		o.Loss, o.ValBPB, o.TrainLoss, o.LossByPosition = 0, 0, 0, nil
		if d := (*train.DivergedError)(nil); errors.As(runErr, &d) {
			o.Status, o.Diverged, o.SkippedBatches = StatusDiverged, newDivergence(d), d.Skipped
		}
		s.fail(c, o)
	}
	if err := writeJSONFile(filepath.Join(dir, ResultFile), o, s.opt.Writing); err != nil {
		return o, err
	}
	s.prog.finished(c, o)
	if c.Role == RolePoint {
		return o, s.writeResults()
	}
	return o, nil
}

// skip counts a run whose result.json is there, a failed or diverged one
// among the sweep's failures or divergences.
func (s *Sweep) skip(c RunConfig, o RunOutcome) {
	s.prog.skipped(c, o)
	if o.unfitted() {
		s.fail(c, o)
	}
}

// fail adds a failed or diverged run to the sweep's list of them; a scan
// run's is not one: a scan is there to find the rates that diverge.
func (s *Sweep) fail(c RunConfig, o RunOutcome) {
	switch {
	case c.Role == RoleLRScan:
	case o.Status == StatusDiverged:
		s.diverged = append(s.diverged, c.Name+": "+o.Error)
	default:
		s.failed = append(s.failed, c.Name+": "+o.Error)
	}
}

// ensureConfig writes run c's config.json in dir unless it is there,
// calling writing as writeAtomic does.
func ensureConfig(c RunConfig, dir string, writing func(string)) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("run folder: %w", err)
	}
	path := filepath.Join(dir, RunConfigFile)
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return writeJSONFile(path, c, writing)
}

// recoverCheckpoint puts right a checkpoint in dir/model that a crash left
// half replaced (atomicfile.Recover), removes the temporary files a crash
// left of the run's config.json, result.json and metrics.jsonl, and
// returns the checkpoint's step. Only the process that owns the run may
// call it: recovery removes the temporary folder of a checkpoint being
// written.
func recoverCheckpoint(dir string) (int, error) {
	for _, path := range []string{train.ModelDir(dir), filepath.Join(dir, RunConfigFile), filepath.Join(dir, ResultFile), filepath.Join(dir, MetricsFile)} {
		if err := atomicfile.Recover(path); err != nil {
			return 0, err
		}
	}
	return checkpointStep(dir)
}

// checkpointStep is the step of the checkpoint in dir/model, 0 when there
// is none. It only reads, so it may look at runs other processes own.
func checkpointStep(dir string) (int, error) {
	path := filepath.Join(train.ModelDir(dir), train.StateFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	var st train.State
	if err := json.Unmarshal(raw, &st); err != nil {
		return 0, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return st.Step, nil
}

// modelFLOPs is the work of steps optimizer steps of run c, as the device
// does it (model.Config.FLOPsPerToken, head and attention included).
func (s *Sweep) modelFLOPs(c RunConfig, steps int) float64 {
	vocab := c.Vocab
	if vocab == 0 && s.ds != nil {
		vocab = s.ds.VocabSize
	}
	cfg, err := model.Preset(c.Preset, max(vocab, 1), c.Context)
	if err != nil {
		return 6 * float64(c.Params) * float64(steps) * float64(c.BatchTokens)
	}
	return cfg.FLOPsPerToken(c.Seq) * float64(steps) * float64(c.BatchTokens)
}
