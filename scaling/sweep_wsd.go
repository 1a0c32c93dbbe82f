package scaling

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/plateau-lab/plateau/internal/atomicfile"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/train"
)

// runWSD runs one preset's points in wsd mode (Hägele et al. 2024). The
// stable run trains at constant learning rate; for each point, by
// increasing D, it is advanced to the point's DecayStart (where the
// trainer checkpoints it, StopAt), its checkpoint and metrics are copied
// into the point's folder, and the point resumes from there with its wsd
// schedule. Batches are indexed by step, so the point continues exactly
// as a wsd run from scratch would; the stable run is advanced once per
// point and never past the longest point's decay start.
func (s *Sweep) runWSD(stable RunConfig, points []RunConfig) error {
	sdir := s.runDir(stable)
	var stableFail *runFailure // the stable run's failure, once it failed
	for _, c := range points {
		dir := s.runDir(c)
		done, err := s.claim(&c, dir)
		if err != nil {
			return err
		}
		if done != nil {
			s.skip(c, *done)
			continue
		}
		s.prog.starting(c)
		from, err := recoverCheckpoint(dir)
		if err != nil {
			return err
		}
		if from == 0 {
			if stableFail == nil {
				if err := s.advanceStable(&stable, sdir, c); err != nil && !errors.As(err, &stableFail) {
					return err
				}
			}
			if stableFail != nil {
				what := "failed"
				if d := (*train.DivergedError)(nil); errors.As(stableFail.err, &d) {
					what = fmt.Sprintf("diverged at step %d, before step %d where %s branches off", d.Step, c.DecayStart, c.Name)
				}
				if _, err := s.record(c, dir, model.Config{}, train.Result{}, fmt.Errorf("stable run %s %s: %w", stable.Name, what, stableFail.err)); err != nil {
					return err
				}
				continue
			}
			if err := branch(sdir, dir, s.opt.Writing); err != nil {
				return err
			}
		}
		if _, err := s.trainAndRecord(c, dir); err != nil {
			return err
		}
	}
	return nil
}

// advanceStable trains the stable run up to point c's DecayStart. The
// stable run's own failure or divergence, recorded in its result.json,
// comes back as a *runFailure (holding a *train.DivergedError for a
// divergence); other errors stop the sweep.
func (s *Sweep) advanceStable(stable *RunConfig, sdir string, c RunConfig) error {
	if _, err := s.claim(stable, sdir); err != nil {
		return err
	}
	if o, err := readOutcome(sdir); err == nil && o.unfitted() {
		return &runFailure{o.failure(sdir)}
	}
	at, err := recoverCheckpoint(sdir)
	switch {
	case err != nil:
		return err
	case at == c.DecayStart:
		return nil
	case at > c.DecayStart:
		return fmt.Errorf("run folder %s: the stable run is at step %d, past step %d where %s branches off, and %s has no checkpoint of its own; "+
			"remove %s and the unfinished points of %s to recompute them", sdir, at, c.DecayStart, c.Name, c.Name, sdir, stable.Preset)
	}
	s.prog.note("%s: advancing %s from step %d to step %d", c.Name, stable.Name, at, c.DecayStart)
	res, cfg, err := s.train(stable, sdir, c.DecayStart)
	var fail *runFailure
	if errors.As(err, &fail) {
		if _, err := s.record(*stable, sdir, cfg, res, fail.err); err != nil {
			return err
		}
		return fail
	}
	if err != nil {
		return err
	}
	if res.Steps != c.DecayStart {
		return fmt.Errorf("run folder %s: the stable run stopped at step %d, want %d", sdir, res.Steps, c.DecayStart)
	}
	return nil
}

// branch copies the stable run's metrics.jsonl and checkpoint into a
// point's folder, each atomically (the checkpoint into a temporary folder
// renamed into place, atomicfile.WriteDir); the checkpoint, copied last,
// marks the point as branched. writing is called with each file's path
// before it is copied (SweepOptions.Writing).
func branch(stableDir, dir string, writing func(string)) error {
	if err := copyFile(filepath.Join(stableDir, MetricsFile), filepath.Join(dir, MetricsFile), writing); err != nil {
		return fmt.Errorf("branch from %s: %w", stableDir, err)
	}
	from := train.ModelDir(stableDir)
	entries, err := os.ReadDir(from)
	if err != nil {
		return fmt.Errorf("branch from %s: %w", stableDir, err)
	}
	err = atomicfile.WriteDir(train.ModelDir(dir), func(tmp string) error {
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			if writing != nil {
				writing(filepath.Join(tmp, e.Name()))
			}
			if err := copyInto(filepath.Join(from, e.Name()), filepath.Join(tmp, e.Name())); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("branch from %s: %w", stableDir, err)
	}
	return nil
}

// copyFile replaces dst with a copy of src atomically, calling writing as
// writeAtomic does; a missing src leaves no dst.
func copyFile(src, dst string, writing func(string)) error {
	f, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	return writeAtomic(dst, writing, func(w io.Writer) error {
		_, err := io.Copy(w, f)
		return err
	})
}

// copyInto copies src to a new file dst (inside a temporary folder that
// is renamed into place as a whole).
func copyInto(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
