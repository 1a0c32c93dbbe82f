package chart

import (
	"bytes"
	"encoding/xml"
	"flag"
	"image"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/plateau-lab/plateau/scaling"
)

var previewDir = flag.String("preview", "", "also write the charts rendered from the synthetic sweep to this folder")

// TestChartsRender builds every chart from the synthetic sweep, saves it
// and checks that both files are a valid figure of the expected size.
func TestChartsRender(t *testing.T) {
	s := newSweep()
	cases := []struct {
		name  string
		build func() (*plot.Plot, error)
	}{
		{"loss-curves", func() (*plot.Plot, error) { return LossCurves(s.curves, sweepE) }},
		{"loss-curves-no-entropy", func() (*plot.Plot, error) { return LossCurves(s.curves[:1], 0) }},
		{"frontier", func() (*plot.Plot, error) { return Frontier(s.points, s.frontier, sweepFrontierLaw) }},
		{"frontier-no-law", func() (*plot.Plot, error) { return Frontier(s.points[:1], nil, nil) }},
		{"isoflop", func() (*plot.Plot, error) { return IsoFLOP(s.groups) }},
		{"isoflop-unfitted", func() (*plot.Plot, error) {
			g := s.groups[0]
			g.Fitted = false
			return IsoFLOP([]IsoGroup{g})
		}},
		{"contours", func() (*plot.Plot, error) {
			return Contours(sweepLaw, [2]float64{sweepNLo, sweepNHi}, [2]float64{sweepDLo, sweepDHi}, sweepOptimal, s.points)
		}},
		{"contours-bare", func() (*plot.Plot, error) {
			return Contours(sweepLaw, [2]float64{1e6, 2e6}, [2]float64{1e7, 3e7}, nil, nil)
		}},
		{"extrapolation", func() (*plot.Plot, error) {
			return Extrapolation(s.train, s.heldOut, s.pred, sweepFrontierLaw)
		}},
		{"extrapolation-train-only", func() (*plot.Plot, error) { return Extrapolation(s.train, nil, nil, nil) }},
		{"residuals", func() (*plot.Plot, error) { return Residuals(s.points, s.predicted, s.isHeldOut) }},
		{"residuals-no-held-out", func() (*plot.Plot, error) { return Residuals(s.points, s.predicted, nil) }},
		{"reducible", func() (*plot.Plot, error) {
			floors := []scaling.SizeFloor{{Params: s.points[0].Params, E: sweepE + 0.3}, {Params: s.points[len(s.points)-1].Params, E: sweepE + 0.01}}
			return ReducibleLoss(s.points, sweepE, sweepLaw, floors)
		}},
		{"reducible-above-floor", func() (*plot.Plot, error) { return ReducibleLoss(s.points, sweepE+0.1, sweepLaw, nil) }},
	}
	dir := t.TempDir()
	if *previewDir != "" {
		dir = *previewDir
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := c.build()
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			paths, err := Save(p, dir, c.name)
			if err != nil {
				t.Fatalf("save: %v", err)
			}
			want := []string{filepath.Join(dir, c.name+".png"), filepath.Join(dir, c.name+".svg")}
			if len(paths) != 2 || paths[0] != want[0] || paths[1] != want[1] {
				t.Fatalf("paths = %v, want %v", paths, want)
			}
			checkPNG(t, paths[0])
			checkSVG(t, paths[1])
		})
	}
}

// checkPNG fails t unless path is a PNG of Width x Height at DPI.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	inW, inH := float64(Width/vg.Inch), float64(Height/vg.Inch)
	wantW, wantH := int(inW*DPI+0.5), int(inH*DPI+0.5)
	if format != "png" || cfg.Width != wantW || cfg.Height != wantH {
		t.Fatalf("%s: %s %dx%d, want png %dx%d", path, format, cfg.Width, cfg.Height, wantW, wantH)
	}
}

// checkSVG fails t unless path is well-formed XML whose root is an <svg>
// element that draws something.
func checkSVG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	root, elems := "", 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not well-formed XML: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			elems++
		}
	}
	if root != "svg" || elems < 10 {
		t.Fatalf("%s: root <%s> with %d elements, want <svg> drawing a chart", path, root, elems)
	}
}
