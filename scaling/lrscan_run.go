package scaling

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"path/filepath"
	"strings"
)

// LRScanResult is one preset's entry in OUT/lrscan.json: the learning
// rates its scan tried, the held-out loss each reached, and the one its
// points train with.
type LRScanResult struct {
	Preset     string            `json:"preset"`
	WidthLR    float64           `json:"width_lr"` // the width rule's rate the grid is centred on
	Tokens     int64             `json:"tokens"`   // each scan run's budget
	Steps      int               `json:"steps"`
	Candidates []LRScanCandidate `json:"candidates"`
	BestLR     float64           `json:"best_lr"`
	// AtEdge is set when the best rate is the smallest or largest tried:
	// the optimum may lie outside the grid (widen lr_scan.spread).
	AtEdge bool `json:"at_edge"`
}

// LRScanCandidate is one learning rate of a scan and its run's outcome.
type LRScanCandidate struct {
	Run    string  `json:"run"`
	LR     float64 `json:"lr"`
	Status string  `json:"status"`
	Loss   float64 `json:"loss,omitempty"`
	Error  string  `json:"error,omitempty"`
}

// ReadLRScans reads a sweep's lrscan.json, keyed by preset; a missing
// file is an empty map.
func ReadLRScans(out string) (map[string]LRScanResult, error) {
	scans := map[string]LRScanResult{}
	err := readJSONFile(filepath.Join(out, LRScanFile), &scans)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]LRScanResult{}, nil
	}
	return scans, err
}

// matches reports whether r is the scan of runs (same rates, same budget)
// and chose a rate.
func (r LRScanResult) matches(runs []RunConfig) bool {
	if len(r.Candidates) != len(runs) || r.BestLR <= 0 {
		return false
	}
	for i, c := range runs {
		if r.Candidates[i].Run != c.Name || r.Candidates[i].LR != c.LR || r.Tokens != c.Tokens || r.Steps != c.Steps {
			return false
		}
	}
	return true
}

// scanLR returns the learning rate job j's points train with: the one its
// scan recorded in lrscan.json, else the best of its scan runs, run now
// (or read from their result.json) and recorded. A scan whose runs all
// failed is a *runFailure of the job.
func (s *Sweep) scanLR(j Job) (float64, error) {
	scans, err := ReadLRScans(s.opt.Out)
	if err != nil {
		s.prog.note("%v: scanning again", err)
		scans = map[string]LRScanResult{}
	}
	if r, ok := scans[j.Preset]; ok && r.matches(j.Scan) {
		for _, c := range j.Scan {
			s.prog.skipped(c, RunOutcome{Status: "scanned"})
		}
		s.prog.note("%s: learning rate %.3g from %s", j.Preset, r.BestLR, LRScanFile)
		return r.BestLR, nil
	}
	first := j.Scan[0]
	r := LRScanResult{Preset: j.Preset, WidthLR: j.Points[0].LR, Tokens: first.Tokens, Steps: first.Steps}
	best := math.Inf(1)
	for i, c := range j.Scan {
		o, err := s.runPoint(c)
		if err != nil {
			return 0, err
		}
		r.Candidates = append(r.Candidates, LRScanCandidate{Run: c.Name, LR: c.LR, Status: o.Status, Loss: o.Loss, Error: o.Error})
		if o.Status == StatusDone && o.Loss < best {
			best, r.BestLR = o.Loss, c.LR
			r.AtEdge = i == 0 || i == len(j.Scan)-1
		}
	}
	if r.BestLR == 0 {
		return 0, &runFailure{fmt.Errorf("every learning rate of the scan failed (see %s)", filepath.Join(s.opt.Out, LRScanDir))}
	}
	parts := make([]string, len(r.Candidates))
	for i, c := range r.Candidates {
		parts[i] = fmt.Sprintf("%.3g: %s", c.LR, c.Status)
		if c.Status == StatusDone {
			parts[i] = fmt.Sprintf("%.3g: %.4f", c.LR, c.Loss)
		}
	}
	s.prog.note("%s: lr scan %s; best %.3g (width rule %.3g)", j.Preset, strings.Join(parts, ", "), r.BestLR, r.WidthLR)
	if r.AtEdge {
		s.prog.note("%s: the best learning rate is at the edge of the scan's grid; the optimum may lie outside it (raise lr_scan.spread)", j.Preset)
	}
	// Re-read before writing: cluster tasks scanning other presets write
	// the same file. Each preset's scan runs stay the record of truth.
	if now, err := ReadLRScans(s.opt.Out); err == nil {
		maps.Copy(scans, now)
	}
	scans[j.Preset] = r
	if err := writeJSONFile(filepath.Join(s.opt.Out, LRScanFile), scans, s.opt.Writing); err != nil {
		return 0, err
	}
	return r.BestLR, nil
}
