package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/plateau-lab/plateau/scaling"
)

// flags are the command's options.
type flags struct {
	runs, points, out, title string
	ngram                    string
	opt                      scaling.AnalyzeOptions
	entropy                  float64
}

// usageError is a bad command line; main exits with status 2 for it.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// parse reads the command line; errors name the flag and say what was
// expected.
func parse(args []string, log io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	fs.SetOutput(log)
	fs.StringVar(&f.runs, "runs", "", "a sweep folder written by cmd/sweep (or a folder of them, as cluster tasks leave them)")
	fs.StringVar(&f.points, "points", "", "a CSV of points measured elsewhere: columns params,tokens,loss (optional flops, run, preset)")
	fs.StringVar(&f.out, "out", "", "report folder: report.html, fit.json, points.csv and plots/")
	fs.StringVar(&f.ngram, "ngram", "", "the n-gram baseline's points (a CSV cmd/ngram wrote) to compare the families with")
	fs.StringVar(&f.title, "title", "", "the report's title (default: says where the points came from)")
	fs.IntVar(&f.opt.Bootstrap, "bootstrap", scaling.DefaultResamples, "bootstrap resamples per interval (negative: no intervals)")
	fs.Uint64Var(&f.opt.Seed, "seed", 1, "seed of the bootstrap: the same seed gives the same report")
	fs.Float64Var(&f.entropy, "entropy", -1, "the data's entropy rate in nats/token, compared with the fitted E (-1: known for synthetic sources, unknown otherwise; 0: unknown)")
	fs.Float64Var(&f.opt.HeldOut, "held-out", scaling.DefaultHeldOut, "fraction of runs, the largest by compute, the limit test holds out")
	fs.Float64Var(&f.opt.HuberDelta, "huber-delta", scaling.DefaultHuberDelta, "Huber threshold of the Approach 3 objective, on log loss")
	fs.Float64Var(&f.opt.IsoFLOPTolerance, "isoflop-tol", scaling.DefaultIsoFLOPTolerance, "relative spread of compute within one IsoFLOP budget")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil, err
		}
		return nil, usageError{err}
	}
	switch {
	case fs.NArg() > 0:
		return nil, usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	case (f.runs == "") == (f.points == ""):
		return nil, usageError{fmt.Errorf("want exactly one of -runs DIR and -points FILE.csv")}
	case f.out == "":
		return nil, usageError{fmt.Errorf("flag -out: want the report folder")}
	case f.entropy < 0 && f.entropy != -1:
		return nil, usageError{fmt.Errorf("flag -entropy %v: want nats/token >= 0, or -1 for automatic", f.entropy)}
	case !(f.opt.HeldOut > 0 && f.opt.HeldOut < 1):
		return nil, usageError{fmt.Errorf("flag -held-out %v: want a fraction in (0, 1)", f.opt.HeldOut)}
	case !(f.opt.HuberDelta > 0):
		return nil, usageError{fmt.Errorf("flag -huber-delta %v: want a positive number", f.opt.HuberDelta)}
	case !(f.opt.IsoFLOPTolerance > 0 && f.opt.IsoFLOPTolerance < 1):
		return nil, usageError{fmt.Errorf("flag -isoflop-tol %v: want a fraction in (0, 1)", f.opt.IsoFLOPTolerance)}
	}
	return f, nil
}
