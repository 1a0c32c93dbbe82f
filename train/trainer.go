package train

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
)

// Data is what a run trains and evaluates on.
type Data struct {
	Train, Val []int32 // token streams; validation comes from held-out documents
	// ValBytesPerToken is the validation text's bytes per token, used to
	// report bits per byte (comparable across tokenizers); 0 if unknown.
	ValBytesPerToken float64
	// Tokenizer, when known, is saved into every checkpoint.
	Tokenizer *data.Tokenizer
}

// Options configure a run.
type Options struct {
	Batch, Seq int // sequences per micro-batch and tokens per sequence
	Accum      int // micro-batches per optimizer step
	Steps      int // optimizer steps
	Schedule   Schedule
	AdamW      AdamW
	Seed       uint64 // initialisation and batch order

	// UniqueTokens limits the data a run may draw from to the first
	// UniqueTokens tokens of Data.Train; a run that trains on more tokens
	// than that repeats them in epochs (data-constrained training). 0 uses
	// the whole stream.
	UniqueTokens int

	EvalEvery   int // steps between validation passes (0: only at the end)
	EvalBatches int // validation batches per pass
	// FinalEvalBatches is the validation batches of the evaluation at the
	// end of the run, the loss a sweep fits: more than EvalBatches makes
	// that one number more precise without slowing the passes along the
	// way. 0 (or fewer than EvalBatches) uses EvalBatches.
	FinalEvalBatches int
	// ByPosition also measures, at the end of the run, the mean held-out
	// loss at each position of the window (Result.ValLossByPosition).
	ByPosition bool
	SaveEvery  int // steps between checkpoints (0: only at the end)
	LogEvery   int // steps between metrics lines and progress lines

	// StopAt ends the run after this many steps with a checkpoint, as a job
	// with a time limit would, leaving the schedule planned for Steps; 0
	// runs to Steps.
	StopAt int

	Out    string    // run folder: metrics.jsonl and the model/ checkpoint
	Resume bool      // continue from Out/model when it exists
	Log    io.Writer // progress lines; nil = silent

	// OnNaN says what a step whose loss or gradient is NaN or infinite
	// does; the zero value stops the run with a *DivergedError.
	OnNaN NaNPolicy
	// OpenFile creates the files the run writes (the checkpoint's files and
	// metrics.jsonl); nil means os.OpenFile. Tests pass one that fails, to
	// check that a full disk is reported and loses nothing.
	OpenFile model.OpenFunc
}

// ModelDir is the checkpoint folder inside a run folder.
func ModelDir(out string) string { return filepath.Join(out, "model") }

// Result summarises a finished run.
type Result struct {
	Steps             int
	Tokens            int64
	FirstLoss, Loss   float64 // train loss of the first and last step run
	FirstVal, ValLoss float64 // validation loss before training (step 0) and at the end
	ValBPB            float64
	// ValLossByPosition is the final held-out loss at each position of the
	// window, 1..Seq tokens of context (Options.ByPosition).
	ValLossByPosition []float64
	Epochs            float64 // passes over the unique training tokens
	TokensPerS, WallS float64
}

// Trainer runs one training run on one device.
type Trainer struct {
	dev   kernels.Device
	cfg   model.Config
	data  Data
	opt   Options
	w     *kernels.Weights
	prog  *kernels.Program // forward + backward
	eval  *kernels.Program // forward only
	optim *optimizer
	batch *data.Batcher
	val   []data.ValBatch // the batches of every validation pass
	// valFinal are the batches of the pass at the end of the run: val, or
	// more when Options.FinalEvalBatches asks for them.
	valFinal []data.ValBatch
	ids      []int32
	tgt      []int32
	state    State
}

// New prepares a run: builds and compiles the graphs, initialises the
// weights from the seed, and slices the validation set.
func New(dev kernels.Device, cfg model.Config, d Data, opt Options) (*Trainer, error) {
	if opt.Accum == 0 {
		opt.Accum = 1
	}
	if opt.Batch <= 0 || opt.Seq <= 0 || opt.Accum <= 0 || opt.Steps <= 0 {
		return nil, fmt.Errorf("batch %d, seq %d, accum %d, steps %d: want positive numbers", opt.Batch, opt.Seq, opt.Accum, opt.Steps)
	}
	if opt.LogEvery <= 0 {
		opt.LogEvery = 10
	}
	if opt.EvalBatches <= 0 {
		opt.EvalBatches = 8
	}
	if opt.FinalEvalBatches < 0 {
		return nil, fmt.Errorf("final evaluation batches %d: want >= 0 (0: as many as every pass)", opt.FinalEvalBatches)
	}
	opt.Schedule.Steps = opt.Steps
	if err := opt.Schedule.Validate(); err != nil {
		return nil, err
	}
	if err := opt.OnNaN.Validate(); err != nil {
		return nil, err
	}
	opt.OnNaN = opt.OnNaN.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Tokenizer != nil && d.Tokenizer.VocabSize() > cfg.VocabSize {
		return nil, fmt.Errorf("tokenizer has %d tokens, the model's vocab_size is %d", d.Tokenizer.VocabSize(), cfg.VocabSize)
	}
	switch {
	case opt.UniqueTokens < 0 || opt.UniqueTokens > len(d.Train):
		return nil, fmt.Errorf("unique tokens %d: want between 1 and the %d training tokens (0 for all)", opt.UniqueTokens, len(d.Train))
	case opt.UniqueTokens == 0:
		opt.UniqueTokens = len(d.Train)
	}
	t := &Trainer{dev: dev, cfg: cfg, data: d, opt: opt}
	t.state = State{Batch: opt.Batch, Seq: opt.Seq, Accum: opt.Accum, Seed: opt.Seed, Unique: opt.UniqueTokens, Steps: opt.Steps}
	var err error
	if t.batch, err = data.NewBatcher(d.Train[:opt.UniqueTokens], opt.Batch, opt.Seq, opt.Seed); err != nil {
		return nil, fmt.Errorf("training data: %w", err)
	}
	if t.val, err = data.ValBatches(d.Val, opt.Batch, opt.Seq, opt.EvalBatches); err != nil {
		return nil, fmt.Errorf("validation data: %w", err)
	}
	t.valFinal = t.val
	if opt.FinalEvalBatches > opt.EvalBatches {
		if t.valFinal, err = data.ValBatches(d.Val, opt.Batch, opt.Seq, opt.FinalEvalBatches); err != nil {
			return nil, fmt.Errorf("final validation data: %w", err)
		}
	}
	if err := t.compile(); err != nil {
		t.Close()
		return nil, err
	}
	if err := t.w.Upload(cfg.Init(opt.Seed)); err != nil {
		t.Close()
		return nil, err
	}
	t.ids = make([]int32, opt.Batch*opt.Seq)
	t.tgt = make([]int32, opt.Batch*opt.Seq)
	return t, nil
}

func (t *Trainer) compile() error {
	g, err := model.Build(t.cfg, t.opt.Batch, t.opt.Seq, true)
	if err != nil {
		return err
	}
	if t.w, err = kernels.NewWeights(t.dev, g.Specs, true); err != nil {
		return err
	}
	if t.prog, err = kernels.Compile(t.dev, g, t.w, kernels.Options{Grads: true}); err != nil {
		return err
	}
	if t.eval, err = kernels.Compile(t.dev, g, t.w, kernels.Options{Logits: t.opt.ByPosition}); err != nil {
		return err
	}
	t.optim, err = newOptimizer(t.dev, t.w, t.opt.AdamW)
	return err
}

// Close releases the device memory the run holds.
func (t *Trainer) Close() {
	for _, p := range []*kernels.Program{t.prog, t.eval} {
		if p != nil {
			p.Free()
		}
	}
	if t.optim != nil {
		t.optim.free()
	}
	if t.w != nil {
		t.w.Free()
	}
}

// Weights gives access to the parameters on the device.
func (t *Trainer) Weights() *kernels.Weights { return t.w }

// Evaluate returns the mean loss over the validation batches.
func (t *Trainer) Evaluate() (float64, error) { return t.evaluate(t.val, nil) }

// evaluate is the mean loss over the given validation batches; with byPos
// it also adds every row's loss to it.
func (t *Trainer) evaluate(batches []data.ValBatch, byPos *kernels.PositionLosses) (float64, error) {
	var sum float64
	var rows []float64
	if byPos != nil {
		rows = make([]float64, t.opt.Batch*t.opt.Seq)
	}
	for _, b := range batches {
		if err := t.eval.SetBatch(b.IDs, b.Targets); err != nil {
			return 0, err
		}
		t.eval.Run()
		l, err := t.eval.Loss()
		if err != nil {
			return 0, err
		}
		sum += float64(l)
		if byPos != nil {
			if err := t.eval.RowLosses(rows, b.Targets); err != nil {
				return 0, err
			}
			byPos.Add(rows)
		}
	}
	return sum / float64(len(batches)), nil
}

// finalByPosition is the loss by position over the final evaluation's
// batches, when Options.ByPosition asks for it (nil otherwise).
func (t *Trainer) finalByPosition() *kernels.PositionLosses {
	if !t.opt.ByPosition {
		return nil
	}
	return &kernels.PositionLosses{Seq: t.opt.Seq}
}

// Step runs optimizer step i (0-based) at the schedule's learning rate:
// Accum micro-batches forward and backward, then clipping and AdamW. It
// returns the mean loss and the gradient norm before clipping; when either
// is NaN or infinite it applies no update and returns a *DivergedError.
// Run calls it; benchmarks call it directly.
func (t *Trainer) Step(i int) (loss, gradNorm float64, err error) {
	return t.step(i, t.opt.Schedule.At(i))
}

// step runs step i with learning rate lr on the batches i+Skipped. The loss
// and gradient norm are read back before AdamW is queued, so a non-finite
// step leaves the weights and the moments as they were.
func (t *Trainer) step(i int, lr float64) (loss, gradNorm float64, err error) {
	t.optim.begin()
	b := i + t.state.Skipped
	for m := 0; m < t.opt.Accum; m++ {
		if err := t.batch.Batch(b*t.opt.Accum+m, t.ids, t.tgt); err != nil {
			return 0, 0, err
		}
		if err := t.prog.SetBatch(t.ids, t.tgt); err != nil {
			return 0, 0, err
		}
		t.prog.Run()
		t.dev.Axpy(t.optim.lossAcc(), float32(1/float64(t.opt.Accum)), t.prog.LossBuf())
	}
	if loss, gradNorm, err = t.optim.measure(t.opt.Accum); err != nil {
		return 0, 0, err
	}
	if !finite(loss) || !finite(gradNorm) {
		return loss, gradNorm, t.diagnose(i, loss, gradNorm)
	}
	t.optim.update(i+1, lr, t.opt.Accum)
	return loss, gradNorm, nil
}

// trainStep runs step i as the NaN policy says: a step whose loss or
// gradient is not finite is retried on the next batch with a lower learning
// rate while skips are allowed, and is a *DivergedError otherwise. It
// returns the learning rate the step ran at.
func (t *Trainer) trainStep(i int) (loss, gradNorm, lr float64, err error) {
	p := t.opt.OnNaN
	for {
		lr = t.opt.Schedule.At(i) * t.state.lrScale()
		loss, gradNorm, err = t.step(i, lr)
		var d *DivergedError
		if !errors.As(err, &d) || !p.Skip || t.state.Skipped >= p.MaxSkips {
			return loss, gradNorm, lr, err
		}
		t.state.Skipped++
		t.state.LRScale = t.state.lrScale() * p.LRFactor
		t.logf("step %d: loss %v, gradient norm %v (%s): batch skipped, %d of at most %d; learning rate now %.4g x the schedule\n",
			i+1, loss, gradNorm, d.Tensor, t.state.Skipped, p.MaxSkips, t.state.LRScale)
	}
}

// Run trains to Options.Steps, resuming from the checkpoint in Out when
// Options.Resume is set and one exists, and leaves the final model in
// ModelDir(Out). A NaN or infinite loss or gradient ends it with a
// *DivergedError (unless Options.OnNaN skips the batch), leaving the last
// good checkpoint in place.
func (t *Trainer) Run() (res Result, err error) {
	o := t.opt
	dir := ModelDir(o.Out)
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return Result{}, fmt.Errorf("run folder: %w", err)
	}
	resumed := false
	if o.Resume {
		if resumed, err = hasCheckpoint(dir); err != nil {
			return Result{}, err
		}
	}
	if resumed {
		st, err := loadCheckpoint(dir, t.cfg, t.w)
		if err != nil {
			return Result{}, err
		}
		if st.Batch != o.Batch || st.Seq != o.Seq || st.Accum != o.Accum || st.Seed != o.Seed || st.Unique != o.UniqueTokens {
			return Result{}, fmt.Errorf("resume %s: checkpoint trained with batch %d, seq %d, accum %d, seed %d, unique tokens %d; this run has batch %d, seq %d, accum %d, seed %d, unique tokens %d",
				dir, st.Batch, st.Seq, st.Accum, st.Seed, st.Unique, o.Batch, o.Seq, o.Accum, o.Seed, o.UniqueTokens)
		}
		st.Steps = o.Steps
		t.state = st
		t.logf("resumed from %s at step %d\n", dir, st.Step)
	}
	metrics, err := openMetrics(o.OpenFile, filepath.Join(o.Out, "metrics.jsonl"), t.state.Step, resumed)
	if err != nil {
		return Result{}, err
	}
	defer func() {
		if cerr := metrics.close(); err == nil {
			err = cerr
		}
	}()
	fw := model.FolderWriter{Open: o.OpenFile}
	saved := t.state.Step // the step of the checkpoint on disk (0: none)

	res = Result{FirstLoss: math.NaN(), FirstVal: math.NaN(), ValLoss: t.state.LastVal}
	tokensPerStep := int64(o.Batch * o.Seq * o.Accum)
	start := time.Now()
	wall0 := t.state.WallS
	if t.state.Step == 0 {
		v, err := t.Evaluate()
		if err != nil {
			return res, err
		}
		res.FirstVal = v
		rec := Record{Step: 0, ValLoss: &v, ValBPB: t.bpb(v), LR: o.Schedule.At(0)}
		if err := metrics.write(rec); err != nil {
			return res, err
		}
		t.logf("step %d: val loss %.4f\n", 0, v)
	}
	first := t.state.Step
	lastLog, lastLogTime, evalTime := first, time.Now(), time.Duration(0)
	for i := t.state.Step; i < o.Steps; i++ {
		loss, gnorm, lr, err := t.trainStep(i)
		if d := (*DivergedError)(nil); errors.As(err, &d) {
			d.Checkpoint, d.CheckpointStep = dir, saved
			return res, d
		}
		if err != nil {
			return res, fmt.Errorf("step %d: %w", i+1, err)
		}
		if math.IsNaN(res.FirstLoss) {
			res.FirstLoss = loss
		}
		res.Loss = loss
		t.state.Step = i + 1
		t.state.Tokens += tokensPerStep
		t.state.WallS = wall0 + time.Since(start).Seconds()
		t.state.LastLoss = loss
		done := t.state.Step == o.Steps
		rec := Record{Step: t.state.Step, Tokens: t.state.Tokens, Epoch: t.Epochs(t.state.Step + t.state.Skipped), TrainLoss: loss,
			LR: lr, GradNorm: gnorm, WallS: t.state.WallS, SkippedBatches: t.state.Skipped}
		if done || (o.EvalEvery > 0 && t.state.Step%o.EvalEvery == 0) {
			e0 := time.Now()
			batches, byPos := t.val, (*kernels.PositionLosses)(nil)
			if done {
				batches, byPos = t.valFinal, t.finalByPosition()
			}
			v, err := t.evaluate(batches, byPos)
			if err != nil {
				return res, err
			}
			if byPos != nil {
				res.ValLossByPosition = byPos.Mean()
			}
			evalTime += time.Since(e0)
			rec.ValLoss, rec.ValBPB = &v, t.bpb(v)
			t.state.LastVal = v
			res.ValLoss = v
		}
		if done || rec.ValLoss != nil || t.state.Step%o.LogEvery == 0 {
			elapsed := time.Since(lastLogTime) - evalTime
			rec.TokensPerS = float64(int64(t.state.Step-lastLog)*tokensPerStep) / elapsed.Seconds()
			lastLog, lastLogTime, evalTime = t.state.Step, time.Now(), 0
			if err := metrics.write(rec); err != nil {
				return res, err
			}
			t.progress(rec, time.Since(start), i+1-first)
		}
		stop := t.state.Step == o.StopAt
		if done || stop || (o.SaveEvery > 0 && t.state.Step%o.SaveEvery == 0) {
			if err := metrics.sync(); err != nil {
				return res, err
			}
			if err := saveCheckpoint(fw, dir, t.cfg, t.w, t.data.Tokenizer, t.state); err != nil {
				return res, fmt.Errorf("checkpoint at step %d: %w; the checkpoint in %s is still the one from step %d", t.state.Step, err, dir, saved)
			}
			saved = t.state.Step
		}
		if stop {
			break
		}
	}
	if byPos := t.finalByPosition(); byPos != nil && res.ValLossByPosition == nil && t.state.Step == o.Steps {
		// Resumed from the last step's checkpoint: the final evaluation
		// ran before the interruption, its positions are measured now.
		if _, err := t.evaluate(t.valFinal, byPos); err != nil {
			return res, err
		}
		res.ValLossByPosition = byPos.Mean()
	}
	res.Steps, res.Tokens, res.WallS = t.state.Step, t.state.Tokens, t.state.WallS
	res.Epochs = t.Epochs(t.state.Step + t.state.Skipped)
	if t.state.WallS > 0 {
		res.TokensPerS = float64(res.Tokens) / t.state.WallS
	}
	if res.ValLoss != 0 {
		if b := t.bpb(res.ValLoss); b != nil {
			res.ValBPB = *b
		}
	}
	return res, nil
}

// bpb converts a loss in nats per token to bits per byte of the text.
func (t *Trainer) bpb(loss float64) *float64 {
	if t.data.ValBytesPerToken <= 0 {
		return nil
	}
	b := loss / math.Ln2 / t.data.ValBytesPerToken
	return &b
}

func (t *Trainer) logf(format string, args ...any) {
	if t.opt.Log != nil {
		fmt.Fprintf(t.opt.Log, format, args...)
	}
}

// progress prints one line: step, losses, learning rate, speed, ETA.
func (t *Trainer) progress(r Record, elapsed time.Duration, stepsThisRun int) {
	if t.opt.Log == nil {
		return
	}
	line := fmt.Sprintf("step %*d/%d | loss %.4f", digits(t.opt.Steps), r.Step, t.opt.Steps, r.TrainLoss)
	if r.ValLoss != nil {
		line += fmt.Sprintf(" | val %.4f", *r.ValLoss)
		if r.ValBPB != nil {
			line += fmt.Sprintf(" (%.3f bpb)", *r.ValBPB)
		}
	}
	eta := time.Duration(0)
	if stepsThisRun > 0 {
		eta = elapsed / time.Duration(stepsThisRun) * time.Duration(t.opt.Steps-r.Step)
	}
	if r.Epoch >= 0.01 {
		line += fmt.Sprintf(" | epoch %.2f", r.Epoch)
	}
	line += fmt.Sprintf(" | lr %.2e | gnorm %.2f | %s tok/s | %s elapsed | ETA %s\n",
		r.LR, r.GradNorm, humanRate(r.TokensPerS), elapsed.Round(time.Second), eta.Round(time.Second))
	t.logf("%s", line)
}

func digits(n int) int { return len(fmt.Sprint(n)) }

func humanRate(x float64) string {
	switch {
	case x >= 1e6:
		return fmt.Sprintf("%.2fM", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%.1fk", x/1e3)
	}
	return fmt.Sprintf("%.0f", x)
}

// Epochs is how many passes over the unique training tokens the first
// steps optimizer steps make.
func (t *Trainer) Epochs(steps int) float64 { return t.batch.Epochs(steps * t.opt.Accum) }

// ArenaElems is the activation memory of one training step, in float32s.
func (t *Trainer) ArenaElems() int { return t.prog.ArenaElems }

// KernelCalls is the number of kernel calls in one micro-batch.
func (t *Trainer) KernelCalls() int { return t.prog.Steps() }
