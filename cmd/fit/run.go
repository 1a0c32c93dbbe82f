package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/internal/atomicfile"
	"github.com/plateau-lab/plateau/scaling"
	"github.com/plateau-lab/plateau/scaling/report"
)

// planFile is the copy of its plan that cmd/sweep keeps in a sweep folder.
const planFile = "plan.json"

// run fits the points the flags name and writes the report.
func run(args []string, log io.Writer) error {
	f, err := parse(args, log)
	if err != nil {
		return err
	}
	in, err := load(f)
	if err != nil {
		return err
	}
	for _, p := range in.Problems {
		fmt.Fprintf(log, "left out: %s\n", p)
	}
	if in.Entropy > 0 {
		f.opt.Entropy = in.Entropy
	}
	if archs := families(in.points); len(archs) > 1 || f.ngram != "" {
		return runComparison(f, in, archs, args, log)
	}
	fmt.Fprintf(log, "fitting %d points (%d bootstrap resamples per interval)\n", len(in.points), max(f.opt.Bootstrap, 0))
	start := time.Now()
	a, err := scaling.Analyze(in.points, in.Curves, f.opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "fitted in %s\n", time.Since(start).Round(time.Millisecond))
	if a.Law == nil {
		// Without L(N, D) there is no law to report on: no contours, no
		// limit test. Say what each part needed rather than write a report
		// that hides it.
		return fmt.Errorf("%d points: L(N, D) could not be fitted, so no report was written:\n  %s", len(in.points), strings.Join(a.Warnings, "\n  "))
	}
	in.Analysis = a
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return fmt.Errorf("flag -out: %w", err)
	}
	if err := a.WriteJSON(filepath.Join(f.out, "fit.json")); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(f.out, "points.csv"), func(w io.Writer) error { return scaling.WritePoints(w, in.points) }); err != nil {
		return err
	}
	in.Provenance = report.Collect(command(os.Args[0], args), in.device)
	paths, err := report.Write(f.out, in.Input)
	if err != nil {
		return err
	}
	summarise(log, a)
	for _, w := range a.Warnings {
		fmt.Fprintf(log, "warning: %s\n", w)
	}
	fmt.Fprintf(log, "report: %s (%d files; every fitted number in %s)\n",
		paths[len(paths)-1], len(paths)+2, filepath.Join(f.out, "fit.json"))
	return nil
}

// input is the report's input plus the points fitted and the device the
// runs trained on.
type input struct {
	report.Input
	points []scaling.Point
	runs   []scaling.RunResult
	device string
}

// load reads the points: a sweep's finished runs (with their curves, the
// runs left out and why, the plan, and the data's entropy when known) or a
// CSV table.
func load(f *flags) (*input, error) {
	in := &input{}
	in.Entropy = max(f.entropy, 0)
	if f.points != "" {
		pts, err := scaling.ReadPoints(f.points)
		if err != nil {
			return nil, fmt.Errorf("flag -points: %w", err)
		}
		in.points, in.Source = pts, f.points
		in.Title = cmp.Or(f.title, "Scaling laws fitted to "+filepath.Base(f.points))
		return in, nil
	}
	runs, problems, err := scaling.LoadRuns(f.runs)
	if err != nil {
		return nil, fmt.Errorf("flag -runs: %w", err)
	}
	for _, p := range problems {
		in.Problems = append(in.Problems, p.String())
	}
	in.runs = runs
	specs := map[string]bool{}
	for _, r := range runs {
		in.points = append(in.points, r.Point())
		c, err := r.Curve()
		if err != nil {
			in.Problems = append(in.Problems, fmt.Sprintf("%s: loss curve left out: %v", r.Dir, err))
		} else if len(c.Tokens) > 0 {
			in.Curves = append(in.Curves, c)
		}
		o := r.Outcome
		in.Runs = append(in.Runs, report.Run{Name: r.Name, Preset: o.Preset, Arch: r.Config.Arch, Params: float64(o.Params), Tokens: float64(o.Tokens),
			FLOPs: o.FLOPs, Loss: o.Loss, BPB: o.ValBPB, Status: o.Status})
		specs[r.Config.Data] = true
	}
	if len(in.points) == 0 {
		return nil, fmt.Errorf("flag -runs %s: no finished runs to fit (%d left out: %s)", f.runs, len(problems), strings.Join(in.Problems, "; "))
	}
	if f.entropy == -1 && len(specs) == 1 {
		for spec := range specs {
			h, err := data.EntropyRate(spec)
			if err != nil {
				return nil, fmt.Errorf("flag -runs %s: the runs' data %q: %w", f.runs, spec, err)
			}
			in.Entropy = h
			in.Title = cmp.Or(f.title, "Scaling study on "+spec)
		}
	}
	in.Title = cmp.Or(f.title, in.Title, "Scaling study of "+f.runs)
	in.Source = f.runs
	in.Plan = plans(runs)
	return in, nil
}

// plans is the plan of every sweep the runs came from (a run folder is
// SWEEP/runs/NAME), each headed by its file when there are several.
func plans(runs []scaling.RunResult) string {
	var sweeps []string
	for _, r := range runs {
		if sw := filepath.Dir(filepath.Dir(r.Dir)); !slices.Contains(sweeps, sw) {
			sweeps = append(sweeps, sw)
		}
	}
	var out strings.Builder
	for _, sw := range sweeps {
		path := filepath.Join(sw, planFile)
		raw, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var pretty bytes.Buffer
		if json.Indent(&pretty, raw, "", "  ") != nil {
			continue
		}
		if len(sweeps) > 1 {
			fmt.Fprintf(&out, "// %s\n", path)
		}
		out.Write(pretty.Bytes())
		out.WriteString("\n")
	}
	return out.String()
}

// summarise prints the fitted law and the verdict.
func summarise(log io.Writer, a *scaling.Analysis) {
	if a.Law != nil {
		l := a.Law.Fit.Law
		if iv := a.Law.Intervals; iv != nil {
			fmt.Fprintf(log, "Approach 3: L(N, D) = E + A/N^alpha + B/D^beta with E %s, A %s, alpha %s, B %s, beta %s\n", iv.E, iv.A, iv.Alpha, iv.B, iv.Beta)
		} else {
			fmt.Fprintf(log, "Approach 3: L(N, D) = E + A/N^alpha + B/D^beta with E %.4g, A %.4g, alpha %.4g, B %.4g, beta %.4g\n", l.E, l.A, l.Alpha, l.B, l.Beta)
		}
	}
	if a.Limit != nil {
		if e := a.Limit.Entropy; e != nil {
			fmt.Fprintf(log, "E against the data's entropy H = %.4f: %s (E - H = %+.4f nats, %+.2f%% of H; H %s E's interval)\n",
				e.H, e.Outcome, e.Difference, 100*e.Relative, map[bool]string{true: "inside", false: "outside"}[e.Inside])
		} else {
			fmt.Fprintln(log, "E against the data's entropy H: not tested, H is unknown for this data")
		}
		fmt.Fprintf(log, "verdict: %s\n", a.Limit.Verdict.Class)
		for _, s := range a.Limit.Verdict.Sentences {
			fmt.Fprintf(log, "  %s\n", s)
		}
	}
}

// command is the command line that reproduces the report.
func command(prog string, args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$*?") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	name := "go run ./cmd/fit"
	if b := filepath.Base(prog); b != "fit" && !strings.HasPrefix(prog, os.TempDir()) && b != "main" {
		name = prog
	}
	return strings.TrimSpace(name + " " + strings.Join(q, " "))
}
