// Package report writes a scaling study as one self-contained HTML page:
// the verdict of the limit test, every fitted number with its interval,
// the plots (embedded, with PNG and SVG files beside the page), the runs,
// the plan, the machine and commit, and the command that reproduces it.
package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"

	"github.com/plateau-lab/plateau/internal/atomicfile"
	"github.com/plateau-lab/plateau/scaling"
	"github.com/plateau-lab/plateau/scaling/chart"
)

// PlotsDir is the folder, inside a report's folder, that holds its figures
// as PNG and SVG.
const PlotsDir = "plots"

// Page is the report's file name inside its folder.
const Page = "report.html"

// Run is one row of the report's table of runs: every run of the sweep,
// whether or not it was fitted.
type Run struct {
	Name   string
	Preset string
	Arch   string  // the model family, when known
	Params float64 // non-embedding parameters
	Tokens float64
	FLOPs  float64
	Loss   float64 // held-out loss, nats/token; 0 when unfinished
	BPB    float64 // held-out bits per byte; 0 when unknown
	Status string  // "done", "failed", "diverged", "unfinished", ...
}

// Input is what a report shows.
type Input struct {
	Title      string
	Source     string // where the points came from: a runs folder or a CSV file
	Analysis   *scaling.Analysis
	Curves     []scaling.Curve // loss curves of the runs; none for points from a CSV
	Entropy    float64         // the data's entropy rate in nats/token, 0 when unknown
	Runs       []Run           // the sweep's runs; none for points from a CSV
	Problems   []string        // runs left out of the fits, and why
	Plan       string          // the sweep's plan as JSON; empty for points from a CSV
	Provenance Provenance
}

// Write renders in into dir: the figures under dir/plots (PNG and SVG),
// dir/report.html with the PNGs embedded, so the page can be mailed or
// attached on its own, and dir/README.md, the same linking the figures, for
// a code host to render. Every file is written to a temporary name and
// renamed into place. It returns the paths written, the HTML page last.
func Write(dir string, in Input) ([]string, error) {
	if in.Analysis == nil {
		return nil, fmt.Errorf("report %s: no analysis to report", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report %s: %w", dir, err)
	}
	figs, missing := figures(in)
	page := pageData{Input: in, Missing: missing}
	shown, written, failed, err := renderFigures(dir, figs)
	page.Figures, page.Missing = shown, append(page.Missing, failed...)
	if err != nil {
		return written, err
	}
	pages, err := writePages(dir, page, []namedTemplate{{MarkdownPage, markdownTemplate}, {Page, pageTemplate}})
	return append(written, pages...), err
}

// renderFigures draws the figures and saves each under dir/plots as PNG
// and SVG, returning them as a page shows them (the PNG inline) with the
// files written; a figure that cannot be drawn is left out and named in
// failed, with the reason.
func renderFigures(dir string, figs []figure) (shown []shownFigure, written, failed []string, err error) {
	for _, f := range figs {
		p, err := f.build()
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", f.Title, err))
			continue
		}
		paths, err := chart.Save(p, filepath.Join(dir, PlotsDir), f.Name)
		if err != nil {
			return shown, written, failed, fmt.Errorf("report %s: %w", dir, err)
		}
		written = append(written, paths...)
		png, err := os.ReadFile(paths[0])
		if err != nil {
			return shown, written, failed, fmt.Errorf("report %s: %w", dir, err)
		}
		shown = append(shown, shownFigure{
			Title: f.Title, Caption: f.Caption,
			PNG:  template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
			SVG:  PlotsDir + "/" + f.Name + ".svg",
			File: PlotsDir + "/" + f.Name,
		})
	}
	return shown, written, failed, nil
}

// namedTemplate is a page of a report: its file name and its template.
type namedTemplate struct {
	name string
	tmpl interface {
		Execute(io.Writer, any) error
	}
}

// writePages renders data through each page's template into dir, each
// file written atomically, and returns the paths in order.
func writePages(dir string, data any, pages []namedTemplate) ([]string, error) {
	var written []string
	for _, pg := range pages {
		var buf bytes.Buffer
		if err := pg.tmpl.Execute(&buf, data); err != nil {
			return written, fmt.Errorf("report %s: render %s: %w", dir, pg.name, err)
		}
		path := filepath.Join(dir, pg.name)
		if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
			return written, fmt.Errorf("report: %w", err)
		}
		written = append(written, path)
	}
	return written, nil
}

// pageData is what the template sees.
type pageData struct {
	Input
	Figures []shownFigure
	Missing []string
}

// shownFigure is a rendered figure: its PNG inline and a link to its SVG,
// and the path of both without the extension.
type shownFigure struct {
	Title, Caption string
	PNG            template.URL
	SVG            string
	File           string
}
