package report

import (
	htmltemplate "html/template"
	"text/template"
)

// The comparison page, in HTML and in Markdown: the comparison in words,
// the families' laws and their differences, where each curve bends, the
// verdicts, the figures, the loss by position and the n-gram baseline,
// each family's full report linked.

var comparePageTemplate = htmltemplate.Must(htmltemplate.New("compare").Funcs(funcs).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{.Title}}</title>
` + pageStyle + `</head><body>
<h1>{{.Title}}</h1>
<p>Runs from {{.Source}}:{{range .Rows}} {{len .Analysis.Points}} of the <a href="{{.Link}}">{{.Arch}}</a>;{{end}} fitted family by family with the same laws and bootstrap.{{if .NGram}} The n-gram baseline is fitted on the same token budgets.{{end}}</p>

<h2>Which family scales better?</h2>
<ul>{{range .Comparison.Sentences}}<li>{{.}}</li>{{end}}</ul>
<table><tr><th>family</th><th>runs</th><th>E</th><th>A</th><th>&alpha;</th><th>B</th><th>&beta;</th><th>a</th><th>b</th><th>RMSE (log loss)</th></tr>
{{range .Rows}}<tr><td><a href="{{.Link}}">{{.Arch}}</a></td><td>{{len .Analysis.Points}}</td>{{with .Analysis.Law}}{{with .Intervals}}<td>{{iv .E}}</td><td>{{iv .A}}</td><td>{{iv .Alpha}}</td><td>{{iv .B}}</td><td>{{iv .Beta}}</td><td>{{iv .NExponent}}</td><td>{{iv .DExponent}}</td>{{else}}<td colspan="7">no intervals</td>{{end}}<td>{{g .Fit.RMSE}}</td>{{else}}<td colspan="8">L(N, D) could not be fitted</td>{{end}}</tr>
{{end}}</table>
{{if .Comparison.Differences}}<table><tr><th>quantity</th><th>families</th><th>difference</th><th>resolved</th></tr>
{{range .Comparison.Differences}}<tr><td>{{.Name}}</td><td>{{.A}} &minus; {{.B}}</td><td>{{iv .Delta}}</td><td>{{.Resolved}}</td></tr>
{{end}}</table>{{end}}

{{if .Comparison.Bends}}<h2>Where does each curve bend?</h2>
<p>Along D at each family's largest N, and along N at its largest D: the knee of the fitted law, where the term in that axis has fallen to the rest of the loss and the local exponent &minus;d ln L / d ln x to half its value, with its bootstrap interval; beside it the local exponents measured between the first two and the last two runs.</p>
<table><tr><th>family</th><th>along</th><th>at</th><th>knee</th><th>trained</th><th>first exponent</th><th>last exponent</th></tr>
{{range .Comparison.Bends}}<tr><td>{{.Arch}}</td><td>{{.Along}}</td><td>{{si .At}}</td><td>{{iv .Knee}}</td><td>{{si .Lo}} to {{si .Hi}}</td>{{with index .Slopes 0}}<td>{{g .Exponent}}</td>{{end}}{{with lastSlope .Slopes}}<td>{{g .Exponent}}</td>{{end}}</tr>
{{end}}</table>
<ul>{{range .Comparison.Bends}}<li>{{.Sentence}}</li>{{end}}</ul>{{end}}

<h2>Does a limit appear? The verdict per family</h2>
{{range .Rows}}<h3>{{.Arch}}</h3>{{with .Analysis.Limit}}<div class="verdict"><p class="class">{{.Verdict.Class}}</p>
<ul>{{range .Verdict.Sentences}}<li>{{.}}</li>{{end}}</ul></div>{{else}}<p class="warn">The limit test could not be run; see the <a href="{{.Link}}">family's report</a>.</p>{{end}}
{{end}}

{{range .Figures}}<figure><img src="{{.PNG}}" alt="{{.Title}}"><figcaption><b>{{.Title}}.</b> {{.Caption}} (<a href="{{.SVG}}">SVG</a>)</figcaption></figure>
{{end}}{{if .Missing}}<p>Figures left out:</p><ul>{{range .Missing}}<li class="warn">{{.}}</li>{{end}}</ul>{{end}}

{{with .Positions}}<h2>Loss by position in the context</h2>
<p>Held-out loss (nats/token) of each family's largest run at the given position of the window (that many tokens of context).</p>
<table><tr><th>position</th>{{range .Archs}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr><td>{{.Position}}</td>{{range .Loss}}<td>{{g .}}</td>{{end}}</tr>
{{end}}</table>{{end}}

{{with .NGramTable}}<h2>The n-gram baseline</h2>
<p>Interpolated Kneser-Ney, fitted on the windows a run of budget D trains on and scored on the runs' final evaluation windows: held-out nats/token (bits/byte), and the local exponent &minus;d ln L / d ln D of the highest order.</p>
<table><tr><th>D</th>{{range .Orders}}<th>order {{.}}</th>{{end}}<th>local exponent</th></tr>
{{range .Rows}}<tr><td>{{si .Tokens}}</td>{{$b := .BPB}}{{range $i, $l := .Loss}}<td>{{g $l}} ({{g (index $b $i)}})</td>{{end}}<td>{{g .Slope}}</td></tr>
{{end}}</table>{{end}}
{{with .NGramFloor}}<p>L(D) = E + B/D<sup>&beta;</sup> fitted to the highest order: E = {{g .E}} nats/token, B = {{g .B}}, &beta; = {{g .Beta}} ({{.Points}} budgets, converged {{.Converged}}); it bends (B/D<sup>&beta;</sup> = E) at D = {{si .Knee}}.</p>{{end}}

{{if .Comparison.Warnings}}<h2>Warnings</h2><ul>{{range .Comparison.Warnings}}<li class="warn">{{.}}</li>{{end}}</ul>{{end}}
{{if .Plan}}<h2>Plan</h2><pre>{{.Plan}}</pre>{{end}}
` + provenanceHTML + `
<p>Every fitted number is in <code>fit.json</code> beside this page; each family's full report (its runs, fits, held-out runs and figures) is in its own folder.</p>
</body></html>
`))

var compareMarkdownTemplate = template.Must(markdownBase("compare-md").Parse(`# {{.Title}}

Runs from ` + "`{{.Source}}`" + `:{{range .Rows}} {{len .Analysis.Points}} of the [{{.Arch}}]({{.MarkdownLink}});{{end}} fitted family by family with the same laws and bootstrap.{{if .NGram}} The n-gram baseline is fitted on the same token budgets.{{end}} The same as one page: [report.html](report.html); every fitted number: [fit.json](fit.json).

## Which family scales better?
{{range .Comparison.Sentences}}
- {{.}}{{end}}

| family | runs | E | A | α | B | β | a | b | RMSE (log loss) |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
{{range .Rows}}| [{{.Arch}}]({{.MarkdownLink}}) | {{len .Analysis.Points}} | {{with .Analysis.Law}}{{with .Intervals}}{{iv .E}} | {{iv .A}} | {{iv .Alpha}} | {{iv .B}} | {{iv .Beta}} | {{iv .NExponent}} | {{iv .DExponent}}{{else}}no intervals | | | | | | {{end}} | {{g .Fit.RMSE}}{{else}}L(N, D) could not be fitted | | | | | | | | {{end}} |
{{end}}{{if .Comparison.Differences}}
| quantity | families | difference | resolved |
| --- | --- | --- | --- |
{{range .Comparison.Differences}}| {{.Name}} | {{.A}} − {{.B}} | {{iv .Delta}} | {{.Resolved}} |
{{end}}{{end}}
{{if .Comparison.Bends}}
## Where does each curve bend?

Along D at each family's largest N, and along N at its largest D: the knee of the fitted law, where the term in that axis has fallen to the rest of the loss and the local exponent −d ln L / d ln x to half its value, with its bootstrap interval; beside it the local exponents measured between the first two and the last two runs.

| family | along | at | knee | trained | first exponent | last exponent |
| --- | --- | --- | --- | --- | --- | --- |
{{range .Comparison.Bends}}| {{.Arch}} | {{.Along}} | {{si .At}} | {{iv .Knee}} | {{si .Lo}} to {{si .Hi}} | {{with index .Slopes 0}}{{g .Exponent}}{{end}} | {{with lastSlope .Slopes}}{{g .Exponent}}{{end}} |
{{end}}{{range .Comparison.Bends}}
- {{.Sentence}}{{end}}
{{end}}
## Does a limit appear? The verdict per family
{{range .Rows}}
### {{.Arch}}
{{with .Analysis.Limit}}
**{{.Verdict.Class}}**
{{range .Verdict.Sentences}}
- {{.}}{{end}}
{{else}}
The limit test could not be run; see the family's report.
{{end}}{{end}}
{{template "figures" .}}{{with .Positions}}
## Loss by position in the context

Held-out loss (nats/token) of each family's largest run at the given position of the window.

| position |{{range .Archs}} {{.}} |{{end}}
| --- |{{range .Archs}} --- |{{end}}
{{range .Rows}}| {{.Position}} |{{range .Loss}} {{g .}} |{{end}}
{{end}}{{end}}{{with .NGramTable}}
## The n-gram baseline

Interpolated Kneser-Ney, fitted on the windows a run of budget D trains on and scored on the runs' final evaluation windows: held-out nats/token (bits/byte), and the local exponent −d ln L / d ln D of the highest order.

| D |{{range .Orders}} order {{.}} |{{end}} local exponent |
| --- |{{range .Orders}} --- |{{end}} --- |
{{range .Rows}}| {{si .Tokens}} |{{$b := .BPB}}{{range $i, $l := .Loss}} {{g $l}} ({{g (index $b $i)}}) |{{end}} {{g .Slope}} |
{{end}}{{end}}{{with .NGramFloor}}
L(D) = E + B/D^β fitted to the highest order: E = {{g .E}} nats/token, B = {{g .B}}, β = {{g .Beta}} ({{.Points}} budgets, converged {{.Converged}}); it bends (B/D^β = E) at D = {{si .Knee}}.
{{end}}{{if .Comparison.Warnings}}
## Warnings
{{range .Comparison.Warnings}}
- {{.}}{{end}}
{{end}}
` + provenanceMarkdown + ``))
