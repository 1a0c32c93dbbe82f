package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/plateau-lab/plateau/scaling"
)

// nominalRate is the 6ND FLOP/s assumed for -dry-run's time estimate
// when nothing was measured: about what n100k-n2m presets reach on two
// CPU cores in pure Go, and an unmeasured guess for one GPU.
var nominalRate = map[string]float64{"cpu": 1e11, "cuda": 2e13}

// dryRun prints the expanded plan: a row per run (N, D, C = 6ND, steps,
// learning rate, warmup, schedule), the notes of what was dropped, the
// total FLOPs, and how long training them takes at the measured or
// assumed speed.
func dryRun(w io.Writer, f *flags, p scaling.Plan, exp *scaling.Expansion) error {
	fmt.Fprintf(w, "plan: %d preset(s), %d token budget(s), %d IsoFLOP budget(s), mode %s, %d-token batches of seq %d\n",
		len(p.Presets), len(p.Tokens), len(p.FLOPs), p.Mode, p.HParams.BatchTokens, p.Seq)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "job\trun\tN\tD\tC\tsteps\tlr\twarmup\tschedule\t")
	var train float64 // 6ND FLOPs of every step the sweep trains
	for _, j := range exp.Jobs {
		for _, c := range j.Scan {
			row(tw, j.Index, c, "lr scan")
			train += c.FLOPs
		}
		if j.Stable != nil {
			// The stable run trains only to the last point's decay start.
			st, last := *j.Stable, j.Points[len(j.Points)-1]
			st.Steps, st.Tokens = last.DecayStart, int64(last.DecayStart)*int64(st.BatchTokens)
			st.FLOPs = 6 * float64(st.Params) * float64(st.Tokens)
			row(tw, j.Index, st, "shared stable run")
			train += st.FLOPs
		}
		for _, c := range j.Points {
			row(tw, j.Index, c, "")
			if c.Stable != "" {
				train += 6 * float64(c.Params) * float64(c.Steps-c.DecayStart) * float64(c.BatchTokens)
			} else {
				train += c.FLOPs
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var sumC float64
	for _, c := range exp.Points {
		sumC += c.FLOPs
	}
	for _, n := range exp.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	if p.LRScan != nil {
		fmt.Fprintln(w, "note: the lr column shows the width rule; each preset's scan picks the rate its points train with")
	}
	if s := exp.Points[0].NaNSkip; s != nil {
		fmt.Fprintf(w, "note: a NaN or infinite loss or gradient skips its batch and multiplies the learning rate by %v, at most %d times per run; then the run is recorded as diverged\n",
			s.LRFactor, s.MaxSkips)
	}
	fmt.Fprintf(w, "total: %d points in %d jobs; sum of C = %.3g FLOPs; %.3g FLOPs to train (6ND, scans included, wsd stable runs shared)\n",
		len(exp.Points), len(exp.Jobs), sumC, train)
	rate, from := f.rate, "-flops-per-s"
	if rate == 0 {
		rate, from = measuredRate(f.out)
	}
	if rate == 0 {
		dev := strings.SplitN(f.dev.Device, ":", 2)[0]
		rate, from = nominalRate[dev], "a nominal figure for "+dev+", not measured: pass -flops-per-s or run a few points first"
	}
	if rate > 0 {
		eta := time.Duration(train / rate * float64(time.Second))
		fmt.Fprintf(w, "estimate: %s on one device at %.3g FLOP/s (%s)\n", eta.Round(time.Second), rate, from)
	}
	return nil
}

func row(w io.Writer, job int, c scaling.RunConfig, what string) {
	sched := c.Schedule
	if c.Stable != "" {
		sched = fmt.Sprintf("wsd from step %d of %s", c.DecayStart, c.Stable)
	}
	if what != "" {
		sched = what + ", " + sched
	}
	fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%.3g\t%d\t%.3g\t%d\t%s\t\n", job, c.Name, scaling.FormatQuantity(float64(c.Params)),
		scaling.FormatQuantity(float64(c.Tokens)), c.FLOPs, c.Steps, c.LR, c.Warmup, sched)
}

// measuredRate is the 6ND FLOP/s of the finished runs in the sweep folder
// out, 0 when there are none.
func measuredRate(out string) (float64, string) {
	if _, err := os.Stat(out); err != nil {
		return 0, ""
	}
	runs, _, err := scaling.LoadRuns(out)
	if err != nil {
		return 0, ""
	}
	var flops, secs float64
	for _, r := range runs {
		flops += r.Outcome.FLOPs
		secs += r.Outcome.WallS
	}
	if secs <= 0 {
		return 0, ""
	}
	return flops / secs, fmt.Sprintf("measured on the %d finished runs in %s", len(runs), out)
}
