package report

import (
	"fmt"
	"html/template"
	"math"

	"github.com/plateau-lab/plateau/scaling"
)

// funcs format numbers for the page: four significant figures, an interval
// as "value [lo, hi]", counts of tokens and parameters with SI suffixes.
var funcs = template.FuncMap{
	"g": func(v float64) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "–"
		}
		return fmt.Sprintf("%.4g", v)
	},
	"iv": func(iv scaling.Interval) string {
		if math.IsNaN(iv.Value) || math.IsInf(iv.Value, 0) {
			return "–"
		}
		return iv.String()
	},
	"si":  si,
	"pct": func(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) },
	"optf": func(v *float64) string {
		if v == nil {
			return "–"
		}
		return fmt.Sprintf("%.4g", *v)
	},
	"sub":       func(a, b float64) float64 { return a - b },
	"lastSlope": func(s []scaling.LocalSlope) scaling.LocalSlope { return s[len(s)-1] },
	"pct1":      func(v float64) string { return fmt.Sprintf("%+.2g%%", 100*v) },
	"unknownH": func() string {
		return "The data's entropy H is not known (plateau knows it for its synthetic sources only), so the fitted E cannot be tested against the data's true floor, and no reducible-loss figure is drawn."
	},
	"lawRow": func(name string, e *scaling.LawEstimate) lawTableRow { return lawTableRow{name, e} },
}

// si writes a count with an SI suffix and three significant figures:
// 4.19M, 853k, 1.2e+17 stays as is above the suffixes.
func si(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "–"
	case v == 0:
		return "0"
	case a >= 1e15 || a < 1:
		return fmt.Sprintf("%.3g", v)
	case a >= 1e12:
		return fmt.Sprintf("%.3gT", v/1e12)
	case a >= 1e9:
		return fmt.Sprintf("%.3gG", v/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case a >= 1e3:
		return fmt.Sprintf("%.3gk", v/1e3)
	}
	return fmt.Sprintf("%.3g", v)
}

// pageStyle is the style sheet of every HTML page of a report.
const pageStyle = `<style>
body{font-family:Georgia,serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#222}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
.verdict{background:#f6f8fa;border-left:5px solid #1f6feb;padding:.6rem 1rem}
.class{font-weight:bold;font-family:monospace;font-size:1.05rem}
figure{margin:1.2rem 0}figure img{max-width:100%}figcaption{font-size:.9rem;color:#444}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;font-size:.8rem}.warn{color:#9a3412}
</style>`

// provenanceHTML is the provenance table of every HTML page of a report.
const provenanceHTML = `<h2>Provenance</h2>
<table>
<tr><td>reproduce</td><td style="text-align:left"><code>{{.Provenance.Command}}</code></td></tr>
<tr><td>commit</td><td style="text-align:left">{{.Provenance.Commit}}{{if .Provenance.Dirty}} (with uncommitted changes){{end}}</td></tr>
<tr><td>machine</td><td style="text-align:left">{{.Provenance.Platform}}, {{.Provenance.Threads}} threads{{if .Provenance.CPU}}, {{.Provenance.CPU}}{{end}}{{if .Provenance.Device}}; device {{.Provenance.Device}}{{end}}</td></tr>
<tr><td>toolchain</td><td style="text-align:left">{{.Provenance.GoVersion}}</td></tr>
<tr><td>written</td><td style="text-align:left">{{.Provenance.Created.Format "2006-01-02 15:04 UTC"}}</td></tr>
</table>`

var pageTemplate = template.Must(template.New("report").Funcs(funcs).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{.Title}}</title>
` + pageStyle + `</head><body>
<h1>{{.Title}}</h1>
<p>{{len .Analysis.Points}} runs from {{.Source}}.{{if .Entropy}} The data's entropy rate is H = {{g .Entropy}} nats/token: no model can go below it.{{end}}</p>

<h2>Verdict: does a limit appear?</h2>
{{with .Analysis.Limit}}<div class="verdict"><p class="class">{{.Verdict.Class}}</p>
<ul>{{range .Verdict.Sentences}}<li>{{.}}</li>{{end}}</ul></div>
{{else}}<p class="warn">The limit test could not be run; see the warnings below.</p>{{end}}

{{range .Figures}}<figure><img src="{{.PNG}}" alt="{{.Title}}"><figcaption><b>{{.Title}}.</b> {{.Caption}} (<a href="{{.SVG}}">SVG</a>)</figcaption></figure>
{{end}}{{if .Missing}}<p>Figures left out:</p><ul>{{range .Missing}}<li class="warn">{{.}}</li>{{end}}</ul>{{end}}

<h2>Approach 3: L(N, D) = E + A/N<sup>&alpha;</sup> + B/D<sup>&beta;</sup></h2>
<p>Huber loss (&delta; = {{with .Analysis.Law}}{{g .Fit.HuberDelta}}{{end}}) on log loss, L-BFGS from a grid of starts; intervals are bootstrap percentiles over resampled runs.
The compute-optimal allocation is N<sub>opt</sub> &prop; C<sup>a</sup>, D<sub>opt</sub> &prop; C<sup>b</sup>.</p>
<table><tr><th>law</th><th>E</th><th>A</th><th>&alpha;</th><th>B</th><th>&beta;</th><th>a</th><th>b</th><th>objective</th><th>RMSE (log loss)</th><th>converged</th></tr>
{{with .Analysis.Law}}{{template "law" (lawRow "E > 0" .)}}{{end}}
{{with .Analysis.PowerLaw}}{{template "law" (lawRow "E = 0" .)}}{{end}}
</table>

<h2>Approaches 1 and 2, and Kaplan's laws</h2>
<table><tr><th>fit</th><th>exponent</th><th>coefficient</th><th>points</th><th>RMSE (log)</th></tr>
{{with .Analysis.Frontier}}<tr><td>Approach 1: N<sub>opt</sub>(C) (a)</td><td>{{iv .NOpt.Exponent}}</td><td>{{iv .NOpt.Coef}}</td><td>{{.NOpt.Points}}</td><td>{{g .NOpt.RMSE}}</td></tr>
<tr><td>Approach 1: D<sub>opt</sub>(C) (b)</td><td>{{iv .DOpt.Exponent}}</td><td>{{iv .DOpt.Coef}}</td><td>{{.DOpt.Points}}</td><td>{{g .DOpt.RMSE}}</td></tr>{{end}}
{{with .Analysis.IsoFLOP}}{{with .NOpt}}<tr><td>Approach 2: N<sub>opt</sub>(C) (a)</td><td>{{iv .Exponent}}</td><td>{{iv .Coef}}</td><td>{{.Points}}</td><td>{{g .RMSE}}</td></tr>{{end}}
{{with .DOpt}}<tr><td>Approach 2: D<sub>opt</sub>(C) (b)</td><td>{{iv .Exponent}}</td><td>{{iv .Coef}}</td><td>{{.Points}}</td><td>{{g .RMSE}}</td></tr>{{end}}{{end}}
{{with .Analysis.KaplanN}}<tr><td>Kaplan L(N) = (N<sub>c</sub>/N)<sup>&alpha;<sub>N</sub></sup></td><td>{{iv .Exponent}}</td><td>{{iv .Scale}}</td><td>{{len .Selected}}</td><td>{{g .RMSE}}</td></tr>{{end}}
{{with .Analysis.KaplanD}}<tr><td>Kaplan L(D) = (D<sub>c</sub>/D)<sup>&alpha;<sub>D</sub></sup></td><td>{{iv .Exponent}}</td><td>{{iv .Scale}}</td><td>{{len .Selected}}</td><td>{{g .RMSE}}</td></tr>{{end}}
</table>

{{with .Analysis.Limit}}<h2>The limit test</h2>
<p>The laws are fitted to the {{.TrainPoints}} runs up to {{g .SplitCompute}} FLOPs and asked to predict the {{.HeldOutPoints}} larger ones; intervals at {{pct .Level}} from {{.Resamples}} bootstrap refits.
{{.Above}} above, {{.Inside}} inside, {{.Below}} below their interval; mean residual {{g .MeanResidual}} nats (observed &minus; predicted).</p>
<table><tr><th>run</th><th>N</th><th>D</th><th>C</th><th>observed</th><th>predicted</th><th>residual</th><th>position</th></tr>
{{range .HeldOut}}<tr><td>{{.Point.Run}}</td><td>{{si .Point.Params}}</td><td>{{si .Point.Tokens}}</td><td>{{g .Compute}}</td><td>{{g .Point.Loss}}</td><td>{{iv .Predicted}}</td><td>{{g .Residual}}</td><td>{{.Position}}</td></tr>
{{end}}</table>
<p>Laws compared by their error on the held-out runs (root mean square of log-loss residuals; AIC on the training runs):</p>
<table><tr><th>law</th><th>fitted to</th><th>parameters</th><th>train RMSE</th><th>held-out RMSE</th><th>AIC</th><th>converged</th></tr>
{{range .Scores}}<tr><td>{{.Law}}</td><td>{{.Data}}</td><td>{{.Params}}</td><td>{{g .TrainRMSE}}</td><td>{{g .HeldOutRMSE}}</td><td>{{optf .AIC}}</td><td>{{.Converged}}{{if .Message}} ({{.Message}}){{end}}</td></tr>
{{end}}</table>
{{with .Entropy}}<p>Fitted E = {{iv .E}} against the source's entropy H = {{g .H}} nats/token: E &minus; H = {{g .Difference}} nats ({{pct1 .Relative}} of H); H is {{if .Inside}}inside{{else}}outside{{end}} E's interval. The test of E against H: <b>{{.Outcome}}</b>.</p>
{{if .Floors}}<p>Each size's own floor, L(D) = E<sub>N</sub> + B/D<sup>&beta;</sup> fitted to its runs alone (E<sub>N</sub> can never lie below H):</p>
<table><tr><th>N</th><th>runs</th><th>E<sub>N</sub></th><th>E<sub>N</sub> &minus; H</th><th>B</th><th>&beta;</th><th>converged</th></tr>
{{$h := .H}}{{range .Floors}}<tr><td>{{si .Params}}</td><td>{{.Points}}</td><td>{{g .E}}</td><td>{{g (sub .E $h)}}</td><td>{{g .B}}</td><td>{{g .Beta}}</td><td>{{.Converged}}{{if .Message}} ({{.Message}}){{end}}</td></tr>
{{end}}</table>{{end}}{{else}}<p>{{unknownH}}</p>{{end}}
{{end}}

{{if .Runs}}<h2>Runs</h2>
<table><tr><th>run</th><th>preset</th><th>N</th><th>D</th><th>C (FLOPs)</th><th>loss (nats/token)</th><th>bits/byte</th><th>status</th></tr>
{{range .Runs}}<tr><td>{{.Name}}</td><td>{{.Preset}}</td><td>{{si .Params}}</td><td>{{si .Tokens}}</td><td>{{g .FLOPs}}</td><td>{{if .Loss}}{{g .Loss}}{{end}}</td><td>{{if .BPB}}{{g .BPB}}{{end}}</td><td>{{.Status}}</td></tr>
{{end}}</table>{{end}}
{{if .Problems}}<h2>Runs left out</h2><ul>{{range .Problems}}<li class="warn">{{.}}</li>{{end}}</ul>{{end}}
{{if .Analysis.Warnings}}<h2>Warnings</h2><ul>{{range .Analysis.Warnings}}<li class="warn">{{.}}</li>{{end}}</ul>{{end}}

{{if .Plan}}<h2>Plan</h2><pre>{{.Plan}}</pre>{{end}}
` + provenanceHTML + `
<p>Every fitted number and its interval is also in <code>fit.json</code> beside this page.</p>
</body></html>
{{define "law"}}<tr><td>{{.Name}}</td>{{with .Est.Intervals}}<td>{{iv .E}}</td><td>{{iv .A}}</td><td>{{iv .Alpha}}</td><td>{{iv .B}}</td><td>{{iv .Beta}}</td><td>{{iv .NExponent}}</td><td>{{iv .DExponent}}</td>{{else}}{{with .Est.Fit.Law}}<td>{{g .E}}</td><td>{{g .A}}</td><td>{{g .Alpha}}</td><td>{{g .B}}</td><td>{{g .Beta}}</td><td colspan="2"></td>{{end}}{{end}}<td>{{g .Est.Fit.Objective}}</td><td>{{g .Est.Fit.RMSE}}</td><td>{{.Est.Fit.Converged}}</td></tr>{{end}}
`))

// lawTableRow names a row of the laws table.
type lawTableRow struct {
	Name string
	Est  *scaling.LawEstimate
}
