package scaling

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// sweepProgress writes the sweep's progress as plain lines: each run as it
// starts (k of n), each run as it ends, runs done of the total, and an ETA
// from the FLOPs per second measured on this sweep's runs times the
// FLOPs left. Plain lines read the same in a terminal, a log file and a
// cluster job's output.
type sweepProgress struct {
	w     io.Writer
	work  func(c RunConfig, steps int) float64 // model FLOPs of steps steps of c
	total int                                  // runs of the jobs being run (points and scan runs)
	ended int                                  // of which finished, skipped or failed
	// left are the optimizer steps each unfinished run still needs, by
	// name; doneFLOPs and busy the work trained and the time it took.
	left      map[string]pending
	doneFLOPs float64
	busy      time.Duration
	started   time.Time
}

type pending struct {
	c     RunConfig
	steps int
}

func newSweepProgress(w io.Writer, work func(RunConfig, int) float64) *sweepProgress {
	return &sweepProgress{w: w, work: work}
}

// plan counts the runs of jobs and the steps each unfinished one needs:
// a run's steps less its checkpoint's; a wsd point without a checkpoint
// its decay plus the stable steps since the previous point's branch.
func (p *sweepProgress) plan(jobs []Job, s *Sweep) error {
	p.total, p.ended, p.left, p.started = 0, 0, map[string]pending{}, time.Now()
	p.doneFLOPs, p.busy = 0, 0
	for _, j := range jobs {
		prevStart := 0
		if j.Stable != nil {
			at, err := checkpointStep(s.runDir(*j.Stable))
			if err != nil {
				return err
			}
			prevStart = at
		}
		for _, c := range slices.Concat(j.Scan, j.Points) {
			p.total++
			dir := s.runDir(c)
			if o, err := readOutcome(dir); err == nil && outcomeMismatch(c, o) == "" {
				continue
			}
			at, err := checkpointStep(dir)
			if err != nil {
				return err
			}
			steps := c.Steps - at
			if c.Stable != "" && at == 0 {
				steps = c.Steps - c.DecayStart + max(0, c.DecayStart-prevStart)
				prevStart = max(prevStart, c.DecayStart)
			}
			p.left[c.Name] = pending{c, steps}
		}
	}
	p.printf("sweep: %d run(s) in %d job(s), %d to train\n", p.total, len(jobs), len(p.left))
	return nil
}

// note writes one line about the sweep.
func (p *sweepProgress) note(format string, args ...any) {
	p.printf("sweep: "+format+"\n", args...)
}

func (p *sweepProgress) printf(format string, args ...any) {
	if p.w != nil {
		fmt.Fprintf(p.w, format, args...)
	}
}

// starting announces a run about to train.
func (p *sweepProgress) starting(c RunConfig) {
	p.printf("sweep: run %d/%d %s: N %s, D %s, %d steps of %d tokens, lr %.3g, %s schedule\n",
		p.ended+1, p.total, c.Name, FormatQuantity(float64(c.Params)), FormatQuantity(float64(c.Tokens)),
		c.Steps, c.BatchTokens, c.LR, c.Schedule)
}

// skipped counts a run that was already done.
func (p *sweepProgress) skipped(c RunConfig, o RunOutcome) {
	p.ended++
	delete(p.left, c.Name)
	p.printf("sweep: %d/%d %s already %s, skipped\n", p.ended, p.total, c.Name, o.Status)
}

// finished counts a run that just ended and prints the sweep's state.
func (p *sweepProgress) finished(c RunConfig, o RunOutcome) {
	if c.Role == RoleStable {
		p.printf("sweep: %s %s: %s\n", c.Name, o.Status, o.Error)
		return
	}
	p.ended++
	delete(p.left, c.Name)
	what := fmt.Sprintf("loss %.4f", o.Loss)
	if o.unfitted() {
		what = strings.ToUpper(o.Status) + ": " + o.Error
	}
	if o.SkippedBatches > 0 {
		what += fmt.Sprintf(" (%d batches skipped for a NaN or Inf)", o.SkippedBatches)
	}
	p.printf("sweep: %d/%d done: %s %s%s\n", p.ended, p.total, c.Name, what, p.eta())
}

// skipJob counts the runs of a job that cannot run.
func (p *sweepProgress) skipJob(j Job) {
	for _, c := range slices.Concat(j.Scan, j.Points) {
		if _, ok := p.left[c.Name]; ok {
			p.ended++
			delete(p.left, c.Name)
		}
	}
}

// trained adds measured work.
func (p *sweepProgress) trained(flops float64, d time.Duration) {
	p.doneFLOPs += flops
	p.busy += d
}

// eta is " | R FLOP/s | F FLOP left | ETA T", or "" before anything was
// measured.
func (p *sweepProgress) eta() string {
	if p.busy <= 0 || p.doneFLOPs <= 0 {
		return ""
	}
	rate := p.doneFLOPs / p.busy.Seconds()
	var left float64
	for _, r := range p.left {
		left += p.work(r.c, r.steps)
	}
	eta := time.Duration(left / rate * float64(time.Second))
	return fmt.Sprintf(" | %.3g FLOP/s | %.3g FLOP left | ETA %s", rate, left, eta.Round(time.Second))
}

// finish prints the sweep's last lines: how many runs ended, then each
// run that diverged or failed ("NAME: error"), which give no point.
func (p *sweepProgress) finish(failed, diverged []string) {
	p.printf("sweep: %d/%d runs ended in %s\n", p.ended, p.total, time.Since(p.started).Round(time.Second))
	for _, list := range []struct {
		what string
		runs []string
	}{{"diverged", diverged}, {"failed", failed}} {
		if len(list.runs) > 0 {
			p.printf("sweep: %d run(s) %s, not fitted:\n", len(list.runs), list.what)
		}
		for _, r := range list.runs {
			p.printf("sweep:   %s\n", r)
		}
	}
}

// runLog is the writer a run's trainer logs to: the sweep's, each line
// prefixed with the run's name.
func (p *sweepProgress) runLog(name string) io.Writer {
	if p.w == nil {
		return nil
	}
	return &prefixWriter{w: p.w, prefix: []byte("  " + name + ": "), start: true}
}

// prefixWriter writes each line to w with prefix in front.
type prefixWriter struct {
	w      io.Writer
	prefix []byte
	start  bool // the next byte begins a line
}

// Write writes b, a prefix before each line it starts.
func (pw *prefixWriter) Write(b []byte) (int, error) {
	var out bytes.Buffer
	for _, c := range b {
		if pw.start {
			out.Write(pw.prefix)
			pw.start = false
		}
		out.WriteByte(c)
		pw.start = c == '\n'
	}
	if _, err := pw.w.Write(out.Bytes()); err != nil {
		return 0, err
	}
	return len(b), nil
}
