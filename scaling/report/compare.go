package report

import (
	"cmp"
	"fmt"
	"math"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"

	"github.com/plateau-lab/plateau/ngram"
	"github.com/plateau-lab/plateau/scaling"
	"github.com/plateau-lab/plateau/scaling/chart"
)

// Family is one model family of a comparison: its own report's input
// (written to a folder of its own) and the loss by position of its
// largest run.
type Family struct {
	Arch  string
	Input Input
	// ByPosition is the held-out loss of the family's largest run at
	// each position of the window; nil when the run did not record it.
	ByPosition *Positions
}

// Positions is one run's final held-out loss by position in the context:
// Loss[t] is the mean loss of tokens predicted from t+1 tokens.
type Positions struct {
	Run            string
	Params, Tokens float64
	Loss           []float64
}

// ComparisonInput is what a comparison report shows: the families fitted
// side by side, each family's full report, and the n-gram baseline.
type ComparisonInput struct {
	Title      string
	Source     string
	Comparison *scaling.Comparison
	Families   []Family // in Comparison.Families' order
	NGram      []ngram.Point
	// NGramFloor is L(D) = E + B/D^beta fitted to the n-gram's highest
	// order, nil when it has too few budgets.
	NGramFloor *scaling.DataFloor
	Plan       string
	Provenance Provenance
}

// WriteComparison writes a comparison of model families into dir: every
// family's own report under dir/<arch>/ (Write), the comparison's
// figures under dir/plots, and dir/report.html and dir/README.md, which
// put the families' fits, verdicts, frontiers, losses by position and the
// n-gram baseline side by side. It returns the paths written, the HTML
// page last.
func WriteComparison(dir string, in ComparisonInput) ([]string, error) {
	if in.Comparison == nil || len(in.Families) == 0 {
		return nil, fmt.Errorf("report %s: no families to compare", dir)
	}
	var written []string
	page := comparisonPage{ComparisonInput: in}
	for _, f := range in.Families {
		paths, err := Write(filepath.Join(dir, f.Arch), f.Input)
		written = append(written, paths...)
		if err != nil {
			return written, err
		}
		page.Rows = append(page.Rows, familyRow{Arch: f.Arch, Analysis: f.Input.Analysis, Link: f.Arch + "/" + Page,
			MarkdownLink: f.Arch + "/" + MarkdownPage})
	}
	page.Positions = positionTable(in.Families)
	page.NGramTable = ngramTable(in.NGram)
	figs, missing := comparisonFigures(in)
	shown, paths, failed, err := renderFigures(dir, figs)
	written = append(written, paths...)
	page.Figures, page.Missing = shown, append(missing, failed...)
	if err != nil {
		return written, err
	}
	pages, err := writePages(dir, page, []namedTemplate{{MarkdownPage, compareMarkdownTemplate}, {Page, comparePageTemplate}})
	return append(written, pages...), err
}

// comparisonPage is what the comparison templates see.
type comparisonPage struct {
	ComparisonInput
	Rows       []familyRow
	Positions  *positionRows
	NGramTable *ngramRows
	Figures    []shownFigure
	Missing    []string
}

// familyRow is a family's line in the comparison's tables.
type familyRow struct {
	Arch               string
	Analysis           *scaling.Analysis
	Link, MarkdownLink string
}

// positionRows is the table of loss by position: positions 1, 2, 4, ...
// up to the window, one column per family.
type positionRows struct {
	Archs []string
	Rows  []positionRow
}

type positionRow struct {
	Position int
	Loss     []float64 // per family; NaN where a family has no value
}

// positionTable tabulates the families' losses by position at powers of
// two and at the last position; nil when no family has them.
func positionTable(fams []Family) *positionRows {
	t := &positionRows{}
	longest := 0
	for _, f := range fams {
		if f.ByPosition != nil {
			t.Archs = append(t.Archs, f.Arch)
			longest = max(longest, len(f.ByPosition.Loss))
		}
	}
	if longest == 0 {
		return nil
	}
	var at []int
	for k := 1; k < longest; k *= 2 {
		at = append(at, k)
	}
	at = append(at, longest)
	for _, pos := range at {
		r := positionRow{Position: pos}
		for _, f := range fams {
			if f.ByPosition == nil {
				continue
			}
			v := math.NaN()
			if pos <= len(f.ByPosition.Loss) {
				v = f.ByPosition.Loss[pos-1]
			}
			r.Loss = append(r.Loss, v)
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}

// ngramRows is the n-gram table: one row per budget D, one column per
// order, and the local exponent of the highest order between budgets.
type ngramRows struct {
	Orders []int
	Rows   []ngramRow
}

type ngramRow struct {
	Tokens float64
	Loss   []float64 // per order; NaN where missing
	BPB    []float64
	// Slope is -d ln L / d ln D of the highest order from the previous
	// budget: how fast its loss still falls with data (NaN for the first).
	Slope float64
}

// ngramTable tabulates the n-gram points; nil when there are none.
func ngramTable(points []ngram.Point) *ngramRows {
	if len(points) == 0 {
		return nil
	}
	t := &ngramRows{}
	var ds []float64
	for _, p := range points {
		if !slices.Contains(t.Orders, p.Order) {
			t.Orders = append(t.Orders, p.Order)
		}
		if !slices.Contains(ds, p.Tokens) {
			ds = append(ds, p.Tokens)
		}
	}
	slices.Sort(t.Orders)
	slices.Sort(ds)
	top := t.Orders[len(t.Orders)-1]
	prev := math.NaN()
	for i, d := range ds {
		r := ngramRow{Tokens: d, Slope: math.NaN()}
		for _, o := range t.Orders {
			l, b := math.NaN(), math.NaN()
			for _, p := range points {
				if p.Order == o && p.Tokens == d {
					l, b = p.Loss, p.BPB
				}
			}
			r.Loss, r.BPB = append(r.Loss, l), append(r.BPB, b)
			if o == top {
				if i > 0 {
					r.Slope = -(math.Log(l) - math.Log(prev)) / (math.Log(d) - math.Log(ds[i-1]))
				}
				prev = l
			}
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}

// comparisonFigures lists the comparison's plots that the input supports.
func comparisonFigures(in ComparisonInput) (figs []figure, missing []string) {
	var frontier, data, pos []chart.Series
	for g, f := range in.Families {
		a := f.Input.Analysis
		pts := a.Points
		cs, ls := make([]float64, len(pts)), make([]float64, len(pts))
		for i, p := range pts {
			cs[i], ls[i] = p.Compute(), p.Loss
		}
		frontier = append(frontier, chart.Series{Name: f.Arch + " runs", X: cs, Y: ls, Group: g, Markers: true})
		if a.Frontier != nil {
			fp := frontierPoints(a.Frontier)
			x, y := make([]float64, len(fp)), make([]float64, len(fp))
			for i, p := range fp {
				x[i], y[i] = p.Compute(), p.Loss
			}
			frontier = append(frontier, chart.Series{Name: f.Arch + " frontier", X: x, Y: y, Group: g, Line: true})
		}
		best := bestAtD(pts)
		x, y := make([]float64, len(best)), make([]float64, len(best))
		for i, p := range best {
			x[i], y[i] = p.Tokens, p.Loss
		}
		data = append(data, chart.Series{Name: f.Arch + " (best N at each D)", X: x, Y: y, Group: g, Markers: true, Line: true})
		if bp := f.ByPosition; bp != nil {
			x, y := make([]float64, len(bp.Loss)), slices.Clone(bp.Loss)
			for i := range x {
				x[i] = float64(i + 1)
			}
			pos = append(pos, chart.Series{Name: fmt.Sprintf("%s, N = %s, D = %s", f.Arch, si(bp.Params), si(bp.Tokens)), X: x, Y: y, Group: g, Line: true})
		}
	}
	if len(in.NGram) > 0 {
		top := slices.MaxFunc(in.NGram, func(a, b ngram.Point) int { return cmp.Compare(a.Order, b.Order) }).Order
		var x, y []float64
		for _, p := range in.NGram {
			if p.Order == top {
				x, y = append(x, p.Tokens), append(y, p.Loss)
			}
		}
		data = append(data, chart.Series{Name: fmt.Sprintf("%d-gram, interpolated Kneser-Ney", top), X: x, Y: y,
			Group: len(in.Families), Markers: true, Line: true, Dashed: true})
	}
	add := func(ok bool, why string, f figure) {
		if ok {
			figs = append(figs, f)
		} else {
			missing = append(missing, f.Title+": "+why)
		}
	}
	add(true, "", figure{Name: "frontiers", Title: "Compute frontiers of the families",
		Caption: "Final held-out loss of every run against its training compute C = 6ND, each family in its own colour, with its lower envelope (Approach 1) joined: the family whose frontier lies lower reaches a given loss with less compute.",
		build: func() (*plot.Plot, error) {
			return chart.Comparison("Compute frontiers", labelCompute, labelLoss, true, true, frontier)
		}})
	add(true, "", figure{Name: "loss-data", Title: "Loss against data, with the n-gram baseline",
		Caption: "At each token budget D the lowest loss any model size of a family reached, and the n-gram model fitted on the same D tokens (dashed): the count-based model's curve flattens as D grows.",
		build: func() (*plot.Plot, error) {
			return chart.Comparison("Loss against data", "tokens D", labelLoss, true, true, data)
		}})
	add(len(pos) > 0, "no run recorded its loss by position", figure{Name: "by-position", Title: "Loss by position in the context",
		Caption: "The held-out loss of each family's largest run at each position of the window, 1 to T tokens of context (Kaplan et al. 2020, figure 20): where a curve flattens, more context stops helping.",
		build: func() (*plot.Plot, error) {
			return chart.Comparison("Loss by position", "position in the context (tokens)", labelLoss, true, false, pos)
		}})
	return figs, missing
}

// Axis labels of the comparison's figures (those of package chart).
const (
	labelCompute = "training compute C (FLOPs)"
	labelLoss    = "held-out loss (nats/token)"
)

// bestAtD is the point of lowest loss at each distinct D.
func bestAtD(points []scaling.Point) []scaling.Point {
	best := map[float64]scaling.Point{}
	for _, p := range points {
		if b, ok := best[p.Tokens]; !ok || p.Loss < b.Loss {
			best[p.Tokens] = p
		}
	}
	out := make([]scaling.Point, 0, len(best))
	for _, p := range best {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b scaling.Point) int { return cmp.Compare(a.Tokens, b.Tokens) })
	return out
}
