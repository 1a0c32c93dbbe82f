package scaling

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestReadPlan(t *testing.T) {
	p, err := ReadPlan("testdata/plan/tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Tokens, []Quantity{2560, 5120}) {
		t.Errorf("tokens %v, want [2560 5120] (\"2.56k\" and 5120)", p.Tokens)
	}
	if p.Tokenizer != "bpe:1024" || p.ValFrac != 0.05 || p.HParams.BaseLR != 3e-3 || p.HParams.WarmupMax != 0 {
		t.Errorf("absent fields: tokenizer %q, val_frac %v, base_lr %v; set warmup_max %d; want the defaults and 0",
			p.Tokenizer, p.ValFrac, p.HParams.BaseLR, p.HParams.WarmupMax)
	}
	cases := []struct {
		file string
		want []string
	}{
		{"testdata/plan/unknown_field.json", []string{"testdata/plan/unknown_field.json", `unknown field "warmup"`}},
		{"testdata/plan/bad_preset.json", []string{"testdata/plan/bad_preset.json", `"presets[1]"`, "n7b", "n100k, n200k"}},
		{"testdata/plan/missing.json", []string{"testdata/plan/missing.json"}},
	}
	for _, c := range cases {
		_, err := ReadPlan(c.file)
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("ReadPlan(%s): error %v, want one containing %q", c.file, err, w)
			}
		}
	}
	if _, err := DecodePlan(strings.NewReader(`{"presets": ["n100k"], "tokens": [1e6]} {}`)); err == nil || !strings.Contains(err.Error(), "after") {
		t.Errorf("plan with trailing data: error %v", err)
	}
}

// validPlan is a plan that Validate accepts, for tests to break.
func validPlan() Plan {
	p := DefaultPlan()
	p.Presets = []string{"n100k", "n200k"}
	p.Tokens = []Quantity{1e6, 2e6}
	return p
}

func TestPlanValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(p *Plan)
		field string // the field the error must name; "" for a valid plan
	}{
		{"valid", func(p *Plan) {}, ""},
		{"valid isoflop only", func(p *Plan) { p.Tokens, p.FLOPs = nil, []Quantity{1e15} }, ""},
		{"no presets", func(p *Plan) { p.Presets = nil }, "presets"},
		{"unknown preset", func(p *Plan) { p.Presets = []string{"n100k", "huge"} }, "presets[1]"},
		{"repeated preset", func(p *Plan) { p.Presets = []string{"n100k", "n100k"} }, "presets[1]"},
		{"no budgets", func(p *Plan) { p.Tokens = nil }, "tokens"},
		{"zero tokens", func(p *Plan) { p.Tokens = []Quantity{1e6, 0} }, "tokens[1]"},
		{"negative tokens", func(p *Plan) { p.Tokens = []Quantity{-1} }, "tokens[0]"},
		{"infinite tokens", func(p *Plan) { p.Tokens = []Quantity{Quantity(math.Inf(1))} }, "tokens[0]"},
		{"NaN flops", func(p *Plan) { p.FLOPs = []Quantity{Quantity(math.NaN())} }, "flops[0]"},
		{"duplicate tokens", func(p *Plan) { p.Tokens = []Quantity{1e6, 2e6, 1e6} }, "tokens[2]"},
		{"duplicate flops", func(p *Plan) { p.FLOPs = []Quantity{1e15, 1e15} }, "flops[1]"},
		{"seq beyond context", func(p *Plan) { p.Seq, p.Context = 512, 256 }, "seq"},
		{"negative context", func(p *Plan) { p.Context = -1 }, "context"},
		{"no data", func(p *Plan) { p.Data = " " }, "data"},
		{"small bpe", func(p *Plan) { p.Tokenizer = "bpe:100" }, "tokenizer"},
		{"val_frac 1", func(p *Plan) { p.ValFrac = 1 }, "val_frac"},
		{"mode", func(p *Plan) { p.Mode = "linear" }, "mode"},
		{"negative final eval batches", func(p *Plan) { p.FinalEvalBatches = -2 }, "final_eval_batches"},
		{"valid final eval batches", func(p *Plan) { p.FinalEvalBatches = 32 }, ""},
		{"wsd decay 0", func(p *Plan) { p.Mode, p.DecayFrac = "wsd", 0 }, "decay_frac"},
		{"min steps", func(p *Plan) { p.MinSteps = 0 }, "min_steps"},
		{"batch not whole sequences", func(p *Plan) { p.HParams.BatchTokens = 1000 }, "hparams.batch_tokens"},
		{"micro batch does not divide", func(p *Plan) { p.HParams.MicroBatch = 5 }, "hparams.micro_batch"},
		{"lr", func(p *Plan) { p.HParams.BaseLR = math.Inf(1) }, "hparams.base_lr"},
		{"width", func(p *Plan) { p.HParams.BaseWidth = 0 }, "hparams.base_width"},
		{"min lr", func(p *Plan) { p.HParams.MinLRFrac = 1 }, "hparams.min_lr_frac"},
		{"warmup cap", func(p *Plan) { p.HParams.WarmupMax = 5 }, "hparams.warmup_max"},
		{"adam", func(p *Plan) { p.HParams.Beta2 = 1 }, "hparams"},
		{"unique tokens below a sequence", func(p *Plan) { p.UniqueTokens = 10 }, "unique_tokens"},
		{"scan of one", func(p *Plan) { p.LRScan = &LRScan{Points: 1} }, "lr_scan.points"},
		{"scan spread", func(p *Plan) { p.LRScan = &LRScan{Spread: 0.5} }, "lr_scan.spread"},
		{"eval batches", func(p *Plan) { p.EvalBatches = 0 }, "eval_batches"},
		{"nan skip with defaults", func(p *Plan) { p.NaNSkip = &NaNSkip{} }, ""},
		{"nan skip lr factor", func(p *Plan) { p.NaNSkip = &NaNSkip{LRFactor: 2} }, "nan_skip.lr_factor"},
		{"nan skip NaN factor", func(p *Plan) { p.NaNSkip = &NaNSkip{LRFactor: math.NaN()} }, "nan_skip.lr_factor"},
		{"nan skip max skips", func(p *Plan) { p.NaNSkip = &NaNSkip{MaxSkips: -1} }, "nan_skip.max_skips"},
	}
	for _, c := range cases {
		p := validPlan()
		c.edit(&p)
		err := p.Validate()
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field != "" && (err == nil || !strings.Contains(err.Error(), `"`+c.field+`"`)):
			t.Errorf("%s: error %v, want one naming field %q", c.name, err, c.field)
		}
	}
}

// TestPlanRoundTrip checks that a plan written by WritePlan's encoding
// reads back the same, zeros of fields with defaults included.
func TestPlanRoundTrip(t *testing.T) {
	p := validPlan()
	p.FLOPs = []Quantity{3e15}
	p.HParams.WarmupMax, p.HParams.WarmupMin, p.HParams.MinLRFrac = 0, 0, 0
	p.Mode, p.DecayFrac, p.UniqueTokens = "wsd", 0.3, 5e5
	p.LRScan = &LRScan{Points: 3}
	p.NaNSkip = &NaNSkip{}
	raw, err := p.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodePlan(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	again, err := back.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, again) {
		t.Errorf("plan changed in a round trip:\n%s\n%s", raw, again)
	}
}

func TestExpandCosine(t *testing.T) {
	p := tinyPlan(t, "cosine")
	p.FinalEvalBatches = 6
	e, err := p.Expand()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range e.Points {
		names = append(names, c.Name)
	}
	want := []string{"n100k-D2.56k", "n100k-D5.12k", "n200k-D2.56k", "n200k-D5.12k"}
	if !slices.Equal(names, want) {
		t.Fatalf("points %v, want %v (presets by size, then D)", names, want)
	}
	if len(e.Jobs) != 4 || e.Jobs[3].Index != 3 || e.Jobs[3].Points[0].Name != want[3] {
		t.Errorf("cosine jobs: %+v, want one per point", e.Jobs)
	}
	c := e.Points[1]
	checks := []struct {
		what      string
		got, want float64
	}{
		{"steps", float64(c.Steps), 40},
		{"tokens", float64(c.Tokens), 5120},
		{"flops", c.FLOPs, 6 * float64(c.Params) * 5120},
		{"lr (width 64, base 3e-3 at 128)", c.LR, 6e-3},
		{"min lr", c.MinLR, 6e-4},
		{"warmup", float64(c.Warmup), 4},
		{"batch", float64(c.Batch), 4},
		{"accum", float64(c.Accum), 1},
		{"eval every", float64(c.EvalEvery), 10},
		{"final eval batches", float64(c.FinalEvalBatches), 6},
		{"params", float64(c.Params), 106816},
	}
	for _, k := range checks {
		if math.Abs(k.got-k.want) > 1e-12*math.Abs(k.want) {
			t.Errorf("%s: %s = %v, want %v", c.Name, k.what, k.got, k.want)
		}
	}
	if c.Schedule != "cosine" || c.Role != RolePoint || c.Data != p.Data || c.Seed != p.Seed {
		t.Errorf("%s: %+v", c.Name, c)
	}
}

func TestExpandIsoFLOP(t *testing.T) {
	p := tinyPlan(t, "cosine")
	p.Presets = []string{"n100k"}
	n := 106816.0
	p.Tokens = []Quantity{2560}
	p.FLOPs = []Quantity{Quantity(6 * n * 2560), Quantity(6 * n * 7680), Quantity(6 * n * 100)}
	e, err := p.Expand()
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Points) != 2 {
		t.Fatalf("%d points, want 2 (one shared by tokens[0] and flops[0], flops[2] dropped)", len(e.Points))
	}
	if c := e.Points[0]; c.Name != "n100k-D2.56k" || c.BudgetFLOPs != float64(p.FLOPs[0]) {
		t.Errorf("shared point %s: budget_flops %v, want %v", c.Name, c.BudgetFLOPs, float64(p.FLOPs[0]))
	}
	if c := e.Points[1]; c.Steps != 60 || c.BudgetFLOPs != float64(p.FLOPs[1]) {
		t.Errorf("IsoFLOP point %s: %d steps, budget %v; want D = C/6N = 7680 tokens, 60 steps", c.Name, c.Steps, c.BudgetFLOPs)
	}
	joined := strings.Join(e.Notes, "\n")
	if !strings.Contains(joined, "flops[2]") || !strings.Contains(joined, "min_steps") || !strings.Contains(joined, "one point serves both") {
		t.Errorf("notes %q: want the dropped flops[2] and the shared point", joined)
	}

	p.FLOPs = nil
	p.Tokens = []Quantity{2560, 2600}
	if _, err := p.Expand(); err == nil || !strings.Contains(err.Error(), "duplicate point") || !strings.Contains(err.Error(), "tokens[1]") {
		t.Errorf("budgets that round to one run: error %v", err)
	}
	p.Tokens = []Quantity{100}
	if _, err := p.Expand(); err == nil || !strings.Contains(err.Error(), "min_steps") {
		t.Errorf("no point left: error %v", err)
	}
}

func TestExpandWSD(t *testing.T) {
	p := tinyPlan(t, "wsd")
	e, err := p.Expand()
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Jobs) != 2 {
		t.Fatalf("%d jobs, want one per preset", len(e.Jobs))
	}
	j := e.Jobs[0]
	if j.Stable == nil || j.Stable.Name != "n100k-stable" || j.Stable.Schedule != "constant" || j.Stable.Steps != 40 || j.Stable.Role != RoleStable {
		t.Fatalf("stable run %+v", j.Stable)
	}
	for i, want := range []int{16, 32} {
		c := j.Points[i]
		if c.DecayStart != want || c.Schedule != "wsd" || c.Stable != j.Stable.Name || c.Warmup != j.Stable.Warmup || c.DecayFrac != 0.2 {
			t.Errorf("%s: decay start %d, schedule %s from %s, warmup %d (stable %d); want decay start %d", c.Name, c.DecayStart, c.Schedule, c.Stable, c.Warmup, j.Stable.Warmup, want)
		}
	}
	p.DecayFrac = 0.05
	if _, err := p.Expand(); err == nil || !strings.Contains(err.Error(), `"decay_frac"`) {
		t.Errorf("a decay of one step: error %v, want one naming decay_frac", err)
	}
	p.DecayFrac, p.HParams.WarmupMin = 0.5, 15
	if _, err := p.Expand(); err == nil || !strings.Contains(err.Error(), "warmup") {
		t.Errorf("warmup past the decay start: error %v", err)
	}
}

func TestExpandLRScan(t *testing.T) {
	p := tinyPlan(t, "cosine")
	p.LRScan = &LRScan{Points: 3, Spread: 2}
	e, err := p.Expand()
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Jobs) != 2 {
		t.Fatalf("%d jobs, want one per preset when scanning", len(e.Jobs))
	}
	var lrs []float64
	for _, c := range e.Jobs[0].Scan {
		lrs = append(lrs, c.LR)
		if c.Role != RoleLRScan || c.Steps != 20 {
			t.Errorf("scan run %s: role %s, %d steps; want lrscan on the smallest point's 20 steps", c.Name, c.Role, c.Steps)
		}
	}
	want := []float64{3e-3, 6e-3, 12e-3}
	for i := range want {
		if math.Abs(lrs[i]-want[i]) > 1e-15 {
			t.Errorf("scan rates %v, want %v", lrs, want)
			break
		}
	}
	p.LRScan.Tokens = 100
	if _, err := p.Expand(); err == nil || !strings.Contains(err.Error(), "lr_scan.tokens") {
		t.Errorf("scan budget below min_steps: error %v", err)
	}
}
