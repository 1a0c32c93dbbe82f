package scaling

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/model"
)

// Expansion is a plan made concrete: every point with all its settings,
// grouped into jobs that run independently of each other (one cluster
// array task each), and notes on what the plan asked for but was dropped.
type Expansion struct {
	// Points are the measured runs, ordered by preset size and then by D;
	// a point's number is its index here.
	Points []RunConfig
	Jobs   []Job
	Notes  []string
}

// Job is a unit of work that needs nothing from other jobs: in cosine mode
// one point; in wsd mode one preset's stable run and every point branched
// from it; with a learning-rate scan one preset's scan and its points.
type Job struct {
	Index  int
	Preset string
	// Scan are the learning-rate scan runs of the preset, when the plan
	// scans; the best of them sets the LR of Stable and Points.
	Scan []RunConfig
	// Stable is the wsd mode's constant-LR run; nil in cosine mode.
	Stable *RunConfig
	// Points are the job's points by increasing D.
	Points []RunConfig
}

// budget is one point of a preset before it becomes a RunConfig.
type budget struct {
	tokens, flops float64 // D asked for; the IsoFLOP budget C, or 0
	steps         int
	field         string // the plan field it came from, for errors
}

// context is the models' max_position_embeddings.
func (p Plan) context() int {
	if p.Context > 0 {
		return p.Context
	}
	return max(p.Seq, 256)
}

// Expand validates the plan and turns it into its runs and jobs, in a
// stable order: presets from smallest to largest, points by increasing D.
// A budget below MinSteps steps is dropped with a note; two budgets that
// round to the same run of a preset are an error (a token budget and an
// IsoFLOP budget that meet are one point, with a note). N, the
// non-embedding parameters, does not depend on the vocabulary, so the
// expansion needs neither the data nor the tokenizer.
func (p Plan) Expand() (*Expansion, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	presets, err := p.runPresets()
	if err != nil {
		return nil, err
	}

	e := &Expansion{}
	names := map[string]bool{}
	for _, name := range presets {
		cfg, err := model.Preset(name, data.MinVocabSize, p.context())
		if err != nil {
			return nil, err
		}
		budgets, err := p.budgets(name, cfg.NonEmbeddingParams(), &e.Notes)
		if err != nil {
			return nil, err
		}
		if len(budgets) == 0 {
			e.Notes = append(e.Notes, fmt.Sprintf("%s: every budget is below min_steps %d: no point for this preset", name, p.MinSteps))
			continue
		}
		job, err := p.presetJob(name, cfg, budgets)
		if err != nil {
			return nil, err
		}
		for _, c := range job.runs() {
			if names[c.Name] {
				return nil, fmt.Errorf("run name %s comes twice: budgets too close to tell apart with three digits", c.Name)
			}
			names[c.Name] = true
		}
		e.Points = append(e.Points, job.Points...)
		if p.Mode == "cosine" && p.LRScan == nil {
			for _, pt := range job.Points {
				e.Jobs = append(e.Jobs, Job{Preset: name, Points: []RunConfig{pt}})
			}
			continue
		}
		e.Jobs = append(e.Jobs, job)
	}
	if len(e.Points) == 0 {
		return nil, planFieldError("min_steps", "%d: no budget of the plan gives that many steps of %d tokens; no run left", p.MinSteps, p.HParams.BatchTokens)
	}
	for i := range e.Jobs {
		e.Jobs[i].Index = i
	}
	return e, nil
}

// runPresets lists the presets the plan trains, every preset in every
// family of Arch, ordered by rung (model.PresetRank), each once.
func (p Plan) runPresets() ([]string, error) {
	var out []string
	for i, name := range p.Presets {
		names := []string{name}
		if len(p.Arch) > 0 {
			names = names[:0]
			for _, a := range p.Arch {
				f, err := model.ParseFamily(a)
				if err != nil {
					return nil, planFieldError("arch", "%v", err)
				}
				m, err := model.MatchedPreset(name, f)
				if err != nil {
					return nil, planFieldError(fmt.Sprintf("presets[%d]", i), "%v", err)
				}
				names = append(names, m)
			}
		}
		for _, n := range names {
			if slices.Contains(out, n) {
				return nil, planFieldError(fmt.Sprintf("presets[%d]", i), "%q gives preset %s, which another preset of the plan gives too", name, n)
			}
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(model.PresetRank(a), model.PresetRank(b)) })
	return out, nil
}

// runs lists every run of the job in the order it trains them.
func (j Job) runs() []RunConfig {
	out := slices.Clone(j.Scan)
	if j.Stable != nil {
		out = append(out, *j.Stable)
	}
	return append(out, j.Points...)
}

// maxRunSteps is the most optimizer steps a run may have: far beyond any
// sweep (100B tokens in 8192-token batches are 12M steps), it keeps a
// mistyped budget from expanding into a run that never ends.
const maxRunSteps = 1e9

// stepsOf is the number of optimizer steps that train tokens, rounded;
// more than maxRunSteps is an error naming field.
func (p Plan) stepsOf(tokens float64, field string) (int, error) {
	steps := math.Round(tokens / float64(p.HParams.BatchTokens))
	if !(steps <= maxRunSteps) {
		return 0, planFieldError(field, "%s tokens are %.3g steps of %d tokens: more than the %.0e steps a run may have",
			FormatQuantity(tokens), steps, p.HParams.BatchTokens, float64(maxRunSteps))
	}
	return int(steps), nil
}

// budgets lists a preset's points by increasing steps, dropping (with a
// note) those below MinSteps.
func (p Plan) budgets(preset string, n int64, notes *[]string) ([]budget, error) {
	var out []budget
	add := func(b budget) error {
		steps, err := p.stepsOf(b.tokens, b.field)
		if err != nil {
			return err
		}
		b.steps = steps
		if b.steps < p.MinSteps {
			*notes = append(*notes, fmt.Sprintf("%s: %s (D %s) is %d steps of %d tokens, below min_steps %d: dropped",
				preset, b.field, FormatQuantity(b.tokens), b.steps, p.HParams.BatchTokens, p.MinSteps))
			return nil
		}
		i := slices.IndexFunc(out, func(o budget) bool { return o.steps == b.steps })
		switch {
		case i < 0:
			out = append(out, b)
		case out[i].flops == 0 && b.flops > 0:
			out[i].flops = b.flops
			*notes = append(*notes, fmt.Sprintf("%s: %s (D %s) is the run of %s; one point serves both", preset, b.field, FormatQuantity(b.tokens), out[i].field))
		default:
			return planFieldError(b.field, "%s gives the same run of %s (%d steps of %d tokens) as %s: duplicate point",
				FormatQuantity(b.tokens), preset, b.steps, p.HParams.BatchTokens, out[i].field)
		}
		return nil
	}
	for i, d := range p.Tokens {
		if err := add(budget{tokens: float64(d), field: fmt.Sprintf("tokens[%d]", i)}); err != nil {
			return nil, err
		}
	}
	for i, c := range p.FLOPs {
		if err := add(budget{tokens: float64(c) / (6 * float64(n)), flops: float64(c), field: fmt.Sprintf("flops[%d]", i)}); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b budget) int { return cmp.Compare(a.steps, b.steps) })
	return out, nil
}

// presetJob makes the runs of one preset: its points, its stable run in
// wsd mode, its scan runs when the plan scans.
func (p Plan) presetJob(preset string, cfg model.Config, budgets []budget) (Job, error) {
	h := p.HParams
	batch, accum := h.split(p.Seq)
	lr := h.FamilyLR(cfg.Family, cfg.HiddenSize)
	base := RunConfig{
		Role: RolePoint, Preset: preset, Arch: cfg.Family.String(), Params: cfg.NonEmbeddingParams(), Width: cfg.HiddenSize,
		Context: p.context(), Seq: p.Seq, BatchTokens: h.BatchTokens, Batch: batch, Accum: accum,
		LR: lr, LRSource: "width", MinLR: lr * h.MinLRFrac,
		WeightDecay: h.WeightDecay, Beta1: h.Beta1, Beta2: h.Beta2, ClipNorm: h.ClipNorm, Seed: p.Seed,
		Data: p.Data, Tokenizer: p.Tokenizer, ValFrac: p.ValFrac, UniqueTokens: int64(p.UniqueTokens),
		EvalBatches: p.EvalBatches, FinalEvalBatches: p.FinalEvalBatches, NaNSkip: p.NaNSkip.withDefaults(),
	}
	job := Job{Preset: preset}
	for _, b := range budgets {
		c := p.sized(base, b.steps)
		c.Name = fmt.Sprintf("%s-D%s", preset, FormatQuantity(b.tokens))
		c.Budget, c.BudgetFLOPs = b.tokens, b.flops
		c.Schedule = "cosine"
		job.Points = append(job.Points, c)
	}
	if p.Mode == "wsd" {
		if err := p.wsdBranches(&job, p.sized(base, budgets[len(budgets)-1].steps)); err != nil {
			return Job{}, err
		}
	}
	if p.LRScan != nil {
		scan, err := p.scanRuns(base, budgets[0].tokens)
		if err != nil {
			return Job{}, err
		}
		job.Scan = scan
	}
	return job, nil
}

// sized is run c made steps long: its tokens, FLOPs, warmup and the
// intervals of its evaluations and checkpoints.
func (p Plan) sized(c RunConfig, steps int) RunConfig {
	c.Steps = steps
	c.Tokens = int64(steps) * int64(p.HParams.BatchTokens)
	c.FLOPs = 6 * float64(c.Params) * float64(c.Tokens)
	c.Warmup = p.HParams.Warmup(steps)
	c.EvalEvery = stepInterval(steps, p.EvalsPerRun)
	c.SaveEvery = stepInterval(steps, p.SavesPerRun)
	return c
}

// stepInterval is the interval in steps that gives about n events over steps (0
// when n is 0: only at the end).
func stepInterval(steps, n int) int {
	if n <= 0 {
		return 0
	}
	return max(1, (steps+n-1)/n)
}

// wsdBranches turns the job's points into branches of one stable run:
// the stable run has the longest point's length and a constant schedule;
// every point shares the warmup of the shortest point and decays over its
// last DecayFrac steps from DecayStart, where it leaves the stable run.
func (p Plan) wsdBranches(job *Job, stable RunConfig) error {
	warmup := p.HParams.Warmup(job.Points[0].Steps)
	stable.Name = job.Preset + "-stable"
	stable.Role = RoleStable
	stable.Schedule = "constant"
	stable.Warmup = warmup
	stable.Budget = float64(stable.Tokens)
	job.Stable = &stable
	for i := range job.Points {
		c := &job.Points[i]
		c.Schedule = "wsd"
		c.DecayFrac = p.DecayFrac
		c.Warmup = warmup
		c.Stable = stable.Name
		decay := int(math.Round(p.DecayFrac * float64(c.Steps)))
		c.DecayStart = c.Steps - decay
		switch {
		case decay < 2:
			return planFieldError("decay_frac", "%v gives %s (%d steps) %d decay steps: want at least 2; raise decay_frac or min_steps", p.DecayFrac, c.Name, c.Steps, decay)
		case warmup > c.DecayStart:
			return planFieldError("hparams.warmup_frac", "%s: warmup of %d steps outlasts the stable phase, which ends at step %d", c.Name, warmup, c.DecayStart)
		}
		if err := checkBranch(stable, *c); err != nil {
			return err
		}
	}
	return nil
}

// checkBranch checks that the trainer's wsd schedule for point c agrees
// with the stable run's constant schedule up to c.DecayStart and starts
// its decay right there, so that continuing the stable run's checkpoint
// from that step is the same as training c from scratch. Both schedules
// are linear between their breaks (the end of the warmup, the decay
// start), so they are compared on either side of each break and at the
// ends, not at every one of a long run's steps.
func checkBranch(stable, c RunConfig) error {
	s, w := stable.schedule(), c.schedule()
	for _, i := range []int{0, 1, c.Warmup - 1, c.Warmup, c.Warmup + 1, c.DecayStart - 1, c.DecayStart} {
		if i < 0 || i > c.DecayStart {
			continue
		}
		if s.At(i) != w.At(i) {
			return fmt.Errorf("run %s: its wsd schedule gives lr %v at step %d where the stable run gives %v; it cannot branch at step %d", c.Name, w.At(i), i, s.At(i), c.DecayStart)
		}
	}
	if next := w.At(c.DecayStart + 1); !(next < c.LR) {
		return fmt.Errorf("run %s: its wsd schedule does not decay after step %d (lr %v at step %d)", c.Name, c.DecayStart, next, c.DecayStart+1)
	}
	return nil
}

// scanRuns makes a preset's learning-rate scan runs on tokens (or the
// scan's own budget) from base, the preset's settings.
func (p Plan) scanRuns(base RunConfig, smallest float64) ([]RunConfig, error) {
	h := p.HParams
	tokens := float64(p.LRScan.Tokens)
	if tokens == 0 {
		tokens = smallest
	}
	steps, err := p.stepsOf(tokens, "lr_scan.tokens")
	if err != nil {
		return nil, err
	}
	if steps < p.MinSteps {
		return nil, planFieldError("lr_scan.tokens", "%s tokens are %d steps of %d tokens, below min_steps %d", FormatQuantity(tokens), steps, h.BatchTokens, p.MinSteps)
	}
	var out []RunConfig
	for _, f := range p.LRScan.Factors() {
		c := p.sized(base, steps)
		c.Role = RoleLRScan
		c.Budget = tokens
		c.LR = base.LR * f
		c.MinLR = c.LR * h.MinLRFrac
		c.LRSource = "lrscan-grid"
		c.Name = scanRunName(base.Preset, c.LR)
		c.Schedule = "cosine"
		if p.Mode == "wsd" {
			c.Schedule, c.DecayFrac = "wsd", p.DecayFrac
			if d := int(math.Round(p.DecayFrac * float64(steps))); d < 2 {
				return nil, planFieldError("lr_scan.tokens", "%d steps leave %d decay steps at decay_frac %v: want at least 2", steps, d, p.DecayFrac)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// withLR is the run with the peak learning rate lr a scan chose and its
// minimum at minFrac of it.
func (c RunConfig) withLR(lr, minFrac float64) RunConfig {
	c.LR, c.MinLR, c.LRSource = lr, lr*minFrac, "lrscan"
	return c
}
