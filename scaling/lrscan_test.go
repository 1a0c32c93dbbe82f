package scaling

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestLRScanFactors(t *testing.T) {
	cases := []struct {
		scan LRScan
		want []float64
	}{
		{LRScan{}, []float64{0.25, 0.5, 1, 2, 4}},
		{LRScan{Points: 2, Spread: 10}, []float64{0.1, 10}},
		{LRScan{Points: 3, Spread: 3}, []float64{1.0 / 3, 1, 3}},
	}
	for _, c := range cases {
		got := c.scan.Factors()
		if len(got) != len(c.want) {
			t.Errorf("%+v: factors %v, want %v", c.scan, got, c.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-12 {
				t.Errorf("%+v: factors %v, want %v", c.scan, got, c.want)
				break
			}
		}
	}
}

// TestLRScan runs a three-point scan on one preset whose largest rate
// (600) diverges, and checks that the divergence is recorded without
// failing the sweep, that the points train with the best rate, that
// lrscan.json records it, and that a second sweep reuses it without
// training.
func TestLRScan(t *testing.T) {
	p := tinyPlan(t, "cosine")
	p.Presets = []string{"n100k"}
	p.Tokens = p.Tokens[:1]
	p.LRScan = &LRScan{Points: 3, Spread: 1e5}
	out := t.TempDir()
	var log bytes.Buffer
	s := newTestSweep(t, p, out, &log)
	if err := s.Run(); err != nil {
		t.Fatalf("a scan rate that diverges failed the sweep: %v\n%s", err, log.String())
	}
	scans, err := ReadLRScans(out)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := scans["n100k"]
	if !ok || len(r.Candidates) != 3 {
		t.Fatalf("lrscan.json: %+v, want n100k with 3 candidates", scans)
	}
	low, mid, high := r.Candidates[0], r.Candidates[1], r.Candidates[2]
	if high.Status != StatusDiverged || !strings.Contains(high.Error, "diverged") {
		t.Errorf("lr %v: status %s (%s), want diverged", high.LR, high.Status, high.Error)
	}
	if mid.Status != StatusDone || low.Status != StatusDone || !(mid.Loss < low.Loss) {
		t.Errorf("lr %v: %s loss %v; lr %v: %s loss %v; want both done, the middle one lower", low.LR, low.Status, low.Loss, mid.LR, mid.Status, mid.Loss)
	}
	if r.BestLR != mid.LR || r.AtEdge || math.Abs(r.BestLR-6e-3) > 1e-15 {
		t.Errorf("best lr %v (at edge %v), want the width rule's 6e-3, inside the grid", r.BestLR, r.AtEdge)
	}
	c, err := readRunConfig(s.runDir(s.Expansion().Points[0]))
	if err != nil {
		t.Fatal(err)
	}
	if c.LR != r.BestLR || c.LRSource != "lrscan" || c.MinLR != r.BestLR*p.HParams.MinLRFrac {
		t.Errorf("point config lr %v (%s), min %v; want the scan's %v", c.LR, c.LRSource, c.MinLR, r.BestLR)
	}
	again := newTestSweep(t, p, out, &log)
	if err := again.Run(); err != nil || again.TrainedSteps() != 0 {
		t.Errorf("second sweep: %v, %d steps trained; want nothing to do", err, again.TrainedSteps())
	}
}
