package scaling

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/plateau-lab/plateau/internal/atomicfile"
)

// AnalyzeOptions configure Analyze. The zero value means 200 bootstrap
// resamples with seed 0, Chinchilla's Huber threshold, unknown entropy,
// the largest third held out and IsoFLOP budgets grouped within 10%.
type AnalyzeOptions struct {
	Bootstrap        int     `json:"bootstrap"`                   // resamples per interval; 0 means DefaultResamples, negative none
	Seed             uint64  `json:"seed"`                        // the same seed gives the same analysis
	HuberDelta       float64 `json:"huber_delta,omitempty"`       // 0 means DefaultHuberDelta
	Entropy          float64 `json:"entropy,omitempty"`           // true entropy H of the data, nats per token; 0 means unknown
	HeldOut          float64 `json:"held_out,omitempty"`          // fraction held out by the limit test; 0 means DefaultHeldOut
	IsoFLOPTolerance float64 `json:"isoflop_tolerance,omitempty"` // 0 means DefaultIsoFLOPTolerance
	BinsPerDecade    float64 `json:"bins_per_decade,omitempty"`   // frontier bins; 0 means DefaultBinsPerDecade
	// Grid is the start grid of every Approach 3 fit; nil means
	// ChinchillaGrid.
	Grid    *StartGrid `json:"grid,omitempty"`
	Workers int        `json:"-"` // goroutines; 0 means GOMAXPROCS
}

// validate checks the options that a fit would otherwise reject part by
// part, so that a typo fails the analysis once, naming the option.
func (o AnalyzeOptions) validate() error {
	for _, c := range []struct {
		name string
		v    float64
		ok   bool
		want string
	}{
		{"huber_delta", o.HuberDelta, o.HuberDelta == 0 || positiveFinite(o.HuberDelta), "0 (the default) or a positive finite number"},
		{"entropy", o.Entropy, o.Entropy == 0 || positiveFinite(o.Entropy), "0 (unknown) or a positive finite number of nats per token"},
		{"held_out", o.HeldOut, o.HeldOut == 0 || (o.HeldOut > 0 && o.HeldOut < 1), "0 (the default) or a fraction between 0 and 1"},
		{"isoflop_tolerance", o.IsoFLOPTolerance, o.IsoFLOPTolerance == 0 || positiveFinite(o.IsoFLOPTolerance), "0 (the default) or a positive relative tolerance"},
		{"bins_per_decade", o.BinsPerDecade, o.BinsPerDecade == 0 || positiveFinite(o.BinsPerDecade), "0 (the default) or a positive number"},
	} {
		if !c.ok {
			return fmt.Errorf("analyze: option %s = %v, want %s", c.name, c.v, c.want)
		}
	}
	return nil
}

func (o AnalyzeOptions) bootstrap() BootstrapOptions {
	return BootstrapOptions{Resamples: o.Bootstrap, Seed: o.Seed, Workers: o.Workers}
}

// LawEstimate is a fitted Law with its bootstrap intervals (nil when
// resampling was turned off or failed; see the warnings).
type LawEstimate struct {
	Fit       *LawFit       `json:"fit"`
	Intervals *LawIntervals `json:"intervals,omitempty"`
	// reps are the fitted resamples' numbers (lawStats order), which
	// CompareFamilies pairs across families.
	reps [][]float64
}

// Analysis is everything Analyze could fit, with what plots need: the
// laws, the frontier, the IsoFLOP parabolas, the held-out predictions and
// the residuals. A part that could not be done is nil, and Warnings says
// why. It is the content of a report's fit.json.
type Analysis struct {
	Options  AnalyzeOptions `json:"options"`
	Points   []Point        `json:"points"`
	Law      *LawEstimate   `json:"law,omitempty"`       // Approach 3, E + A/N^alpha + B/D^beta
	PowerLaw *LawEstimate   `json:"power_law,omitempty"` // the same with E = 0
	Frontier *FrontierFit   `json:"frontier,omitempty"`  // Approach 1
	IsoFLOP  *IsoFLOPFit    `json:"isoflop,omitempty"`   // Approach 2
	KaplanN  *KaplanFit     `json:"kaplan_n,omitempty"`  // L(N) = (N_c/N)^alpha_N
	KaplanD  *KaplanFit     `json:"kaplan_d,omitempty"`  // L(D) = (D_c/D)^alpha_D
	Limit    *LimitTest     `json:"limit,omitempty"`
	Warnings []string       `json:"warnings,omitempty"`
}

// Analyze runs every fit the points support: Approach 3 with and without
// E, Approaches 1 and 2, the Kaplan laws and the limit test, each with
// bootstrap intervals. Curves (optional) feed the frontier. A part that
// cannot be done (too few points, one model size, a fit that did not
// converge) becomes a warning saying why; Analyze fails only on invalid
// points or when nothing at all can be fitted.
func Analyze(points []Point, curves []Curve, opt AnalyzeOptions) (*Analysis, error) {
	if len(points) == 0 {
		return nil, fmt.Errorf("analyze: no points")
	}
	if err := opt.validate(); err != nil {
		return nil, err
	}
	if err := validatePoints(points); err != nil {
		return nil, fmt.Errorf("analyze: %w", err)
	}
	a := &Analysis{Options: opt, Points: points}
	boot := opt.bootstrap()
	var failures []error
	fail := func(err error) {
		failures = append(failures, err)
		a.Warnings = append(a.Warnings, err.Error())
	}
	warn := func(part, msg string) {
		if msg != "" {
			a.Warnings = append(a.Warnings, part+": "+msg)
		}
	}

	for _, noE := range []bool{false, true} {
		part := "Approach 3 (L = E + A/N^alpha + B/D^beta)"
		if noE {
			part = "pure power law (L = A/N^alpha + B/D^beta)"
		}
		est, err := estimateLaw(points, FitOptions{HuberDelta: opt.HuberDelta, Grid: opt.Grid, NoE: noE, Workers: opt.Workers}, boot)
		if err != nil {
			fail(err)
			continue
		}
		if !est.Fit.Converged {
			warn(part, est.Fit.Message)
		}
		if iv := est.Intervals; iv != nil {
			warn(part, failedNote(iv.Failed, iv.Resamples, "bootstrap refits could not be fitted or did not converge"))
		}
		if noE {
			a.PowerLaw = est
		} else {
			a.Law = est
		}
	}

	if f, err := FitFrontier(points, curves, FrontierOptions{BinsPerDecade: opt.BinsPerDecade, Bootstrap: boot}); err != nil {
		fail(err)
	} else {
		a.Frontier = f
		warn("Approach 1", f.Note)
		warn("Approach 1", failedNote(f.Failed, f.Resamples, "resampled frontiers could not be fitted"))
	}
	if f, err := FitIsoFLOP(points, IsoFLOPOptions{Tolerance: opt.IsoFLOPTolerance, Bootstrap: boot}); err != nil {
		fail(err)
	} else {
		a.IsoFLOP = f
		warn("Approach 2", f.Note)
		for _, p := range f.Profiles {
			if !p.Usable && p.DistinctN >= minProfileN {
				warn("Approach 2", fmt.Sprintf("the profile at %.3g FLOPs is unusable: %s", p.Compute, p.Reason))
			}
		}
		warn("Approach 2", failedNote(f.Failed, f.Resamples, "resamples had fewer than two usable profiles"))
	}
	if k, err := FitKaplanN(points, boot); err != nil {
		fail(err)
	} else {
		a.KaplanN = k
	}
	if k, err := FitKaplanD(points, boot); err != nil {
		fail(err)
	} else {
		a.KaplanD = k
	}

	lopt := LimitOptions{HeldOut: opt.HeldOut, Entropy: opt.Entropy, HuberDelta: opt.HuberDelta, Grid: opt.Grid,
		BinsPerDecade: opt.BinsPerDecade, Bootstrap: boot, Workers: opt.Workers}
	if a.Law != nil && a.Law.Intervals != nil {
		e := a.Law.Intervals.E
		lopt.E = &e
	}
	if t, err := RunLimitTest(points, curves, lopt); err != nil {
		fail(err)
	} else {
		a.Limit = t
		for _, n := range t.Notes {
			warn("limit test", n)
		}
	}

	if a.Law == nil && a.PowerLaw == nil && a.Frontier == nil && a.IsoFLOP == nil && a.KaplanN == nil && a.KaplanD == nil {
		return nil, fmt.Errorf("analyze %d points: nothing could be fitted: %w", len(points), errors.Join(failures...))
	}
	return a, nil
}

// estimateLaw fits a law and its bootstrap intervals.
func estimateLaw(points []Point, fo FitOptions, boot BootstrapOptions) (*LawEstimate, error) {
	f, err := FitLaw(points, fo)
	if err != nil {
		return nil, err
	}
	est := &LawEstimate{Fit: f}
	if boot.resamples() > 0 {
		iv, reps, err := bootstrapLaw(points, f, boot)
		if err != nil {
			return nil, err
		}
		est.Intervals, est.reps = iv, reps
	}
	return est, nil
}

// Encode writes the analysis as indented JSON. It fails, naming the
// field, if a number is not finite (JSON has no NaN or Inf).
func (a *Analysis) Encode(w io.Writer) error {
	if path := nonFinitePath(a); path != "" {
		return fmt.Errorf("encode analysis: %s is not a finite number", path)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(a); err != nil {
		return fmt.Errorf("encode analysis: %w", err)
	}
	return nil
}

// WriteJSON writes the analysis to path (a report's fit.json) through a
// temporary file renamed into place, so a reader never sees half of it.
func (a *Analysis) WriteJSON(path string) error {
	return atomicfile.Write(path, a.Encode)
}
