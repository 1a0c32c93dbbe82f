package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/plateau-lab/plateau/internal/atomicfile"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/ngram"
	"github.com/plateau-lab/plateau/scaling"
	"github.com/plateau-lab/plateau/scaling/report"
)

// families lists the model families of the points, the transformer first.
func families(points []scaling.Point) []string {
	var out []string
	for _, p := range points {
		if !slices.Contains(out, p.Arch) {
			out = append(out, p.Arch)
		}
	}
	first := func(s string) int {
		if s == "transformer" {
			return 0
		}
		return 1
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(first(a), first(b)), cmp.Compare(a, b)) })
	return out
}

// comparisonJSON is fit.json of a comparison: every family's analysis,
// their differences, and the n-gram baseline.
type comparisonJSON struct {
	*scaling.Comparison
	NGram      []ngram.Point      `json:"ngram,omitempty"`
	NGramFloor *scaling.DataFloor `json:"ngram_floor,omitempty"`
}

// runComparison fits every family on its own and writes the comparison
// report, each family's full report in a folder of its own.
func runComparison(f *flags, in *input, archs []string, args []string, log io.Writer) error {
	var grams []ngram.Point
	var floor *scaling.DataFloor
	if f.ngram != "" {
		var err error
		if grams, err = ngram.ReadPoints(f.ngram); err != nil {
			return fmt.Errorf("flag -ngram: %w", err)
		}
		if floor, err = ngramFloor(grams, f.opt.HuberDelta); err != nil {
			fmt.Fprintf(log, "warning: n-gram L(D): %v\n", err)
		}
	}
	fmt.Fprintf(log, "fitting %d points of %d families (%s) family by family (%d bootstrap resamples per interval)\n",
		len(in.points), len(archs), strings.Join(archs, ", "), max(f.opt.Bootstrap, 0))
	start := time.Now()
	c, err := scaling.CompareFamilies(in.points, in.Curves, f.opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "fitted in %s\n", time.Since(start).Round(time.Millisecond))
	prov := report.Collect(command(os.Args[0], args), in.device)
	ci := report.ComparisonInput{Title: in.Title, Source: in.Source, Comparison: c, NGram: grams, NGramFloor: floor,
		Plan: in.Plan, Provenance: prov}
	for _, fam := range c.Families {
		name := cmp.Or(fam.Arch, "points")
		sub := in.Input
		sub.Title = fmt.Sprintf("%s: the %s", in.Title, name)
		sub.Analysis = fam.Analysis
		sub.Provenance = prov
		sub.Curves, sub.Runs, sub.Problems = nil, nil, nil
		for _, cv := range in.Curves {
			if cv.Arch == fam.Arch {
				sub.Curves = append(sub.Curves, cv)
			}
		}
		for _, r := range in.Runs {
			if r.Arch == fam.Arch {
				sub.Runs = append(sub.Runs, r)
			}
		}
		for _, p := range in.Problems {
			if problemArch(p) == fam.Arch {
				sub.Problems = append(sub.Problems, p)
			}
		}
		ci.Families = append(ci.Families, report.Family{Arch: name, Input: sub, ByPosition: largestByPosition(in.runs, fam.Arch)})
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return fmt.Errorf("flag -out: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(f.out, "fit.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(comparisonJSON{Comparison: c, NGram: grams, NGramFloor: floor})
	}); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(f.out, "points.csv"), func(w io.Writer) error { return scaling.WritePoints(w, in.points) }); err != nil {
		return err
	}
	paths, err := report.WriteComparison(f.out, ci)
	if err != nil {
		return err
	}
	for _, fam := range c.Families {
		fmt.Fprintf(log, "%s:\n", cmp.Or(fam.Arch, "points"))
		summarise(log, fam.Analysis)
	}
	for _, s := range c.Sentences {
		fmt.Fprintf(log, "%s\n", s)
	}
	for _, b := range c.Bends {
		fmt.Fprintf(log, "%s\n", b.Sentence)
	}
	if floor != nil {
		fmt.Fprintf(log, "n-gram: L(D) = %.4g + %.4g/D^%.4g, bending at D = %.3g\n", floor.E, floor.B, floor.Beta, floor.Knee())
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(log, "warning: %s\n", w)
	}
	fmt.Fprintf(log, "report: %s (%d files; every fitted number in %s)\n", paths[len(paths)-1], len(paths)+2, filepath.Join(f.out, "fit.json"))
	return nil
}

// ngramFloor fits L(D) = E + B/D^beta to the n-gram's highest order.
func ngramFloor(points []ngram.Point, delta float64) (*scaling.DataFloor, error) {
	top := slices.MaxFunc(points, func(a, b ngram.Point) int { return cmp.Compare(a.Order, b.Order) }).Order
	var ds, ls []float64
	for _, p := range points {
		if p.Order == top {
			ds, ls = append(ds, p.Tokens), append(ls, p.Loss)
		}
	}
	return scaling.FitDataFloor(ds, ls, delta)
}

// largestByPosition is the loss by position of the family's largest run
// that recorded one: the most parameters, then the most tokens.
func largestByPosition(runs []scaling.RunResult, arch string) *report.Positions {
	var best *scaling.RunResult
	for i := range runs {
		r := &runs[i]
		if r.Config.Arch != arch || len(r.Outcome.LossByPosition) == 0 {
			continue
		}
		if best == nil || r.Config.Params > best.Config.Params ||
			(r.Config.Params == best.Config.Params && r.Outcome.Tokens > best.Outcome.Tokens) {
			best = r
		}
	}
	if best == nil {
		return nil
	}
	return &report.Positions{Run: best.Name, Params: float64(best.Config.Params), Tokens: float64(best.Outcome.Tokens),
		Loss: best.Outcome.LossByPosition}
}

// problemArch is the family of the run a problem names ("DIR/runs/NAME:
// reason", NAME beginning with its preset), or "" when it names none.
func problemArch(p string) string {
	dir, _, _ := strings.Cut(p, ": ")
	name := filepath.Base(dir)
	preset, _, _ := strings.Cut(name, "-")
	f, err := model.PresetFamily(preset)
	if err != nil {
		return ""
	}
	return f.String()
}
