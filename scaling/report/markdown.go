package report

import (
	"text/template"
)

// MarkdownPage is the report's Markdown twin inside its folder: the same
// verdict, tables and figures (linked, not embedded) in a form a code host
// renders, so a report committed to a repository reads without a browser.
const MarkdownPage = "README.md"

// provenanceMarkdown is the provenance list of every Markdown page of a
// report.
const provenanceMarkdown = `## Provenance

- reproduce: ` + "`{{.Provenance.Command}}`" + `
- commit: {{.Provenance.Commit}}{{if .Provenance.Dirty}} (with uncommitted changes){{end}}
- machine: {{.Provenance.Platform}}, {{.Provenance.Threads}} threads{{if .Provenance.CPU}}, {{.Provenance.CPU}}{{end}}{{if .Provenance.Device}}; device {{.Provenance.Device}}{{end}}; {{.Provenance.GoVersion}}
- written: {{.Provenance.Created.Format "2006-01-02 15:04 UTC"}}
`

var markdownTemplate = template.Must(markdownBase("markdown").Parse(`# {{.Title}}

{{len .Analysis.Points}} runs from ` + "`{{.Source}}`" + `.{{if .Entropy}} The data's entropy rate is H = {{g .Entropy}} nats/token: no model can go below it.{{end}} The full report, with every table, is [report.html](report.html); every fitted number is in [fit.json](fit.json).

## Verdict: does a limit appear?

{{with .Analysis.Limit}}**{{.Verdict.Class}}**
{{range .Verdict.Sentences}}
- {{.}}{{end}}
{{else}}The limit test could not be run; see the warnings below.
{{end}}
{{template "figures" .}}
## Approach 3: L(N, D) = E + A/N^α + B/D^β

| law | E | A | α | B | β | a | b | RMSE (log loss) | converged |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
{{with .Analysis.Law}}{{template "mdlaw" (lawRow "E > 0" .)}}{{end}}{{with .Analysis.PowerLaw}}{{template "mdlaw" (lawRow "E = 0" .)}}{{end}}
## Approaches 1 and 2, Kaplan's laws

| fit | exponent | coefficient |
| --- | --- | --- |
{{with .Analysis.Frontier}}| Approach 1: N_opt ∝ C^a | {{iv .NOpt.Exponent}} | {{iv .NOpt.Coef}} |
| Approach 1: D_opt ∝ C^b | {{iv .DOpt.Exponent}} | {{iv .DOpt.Coef}} |
{{end}}{{with .Analysis.IsoFLOP}}{{with .NOpt}}| Approach 2: N_opt ∝ C^a | {{iv .Exponent}} | {{iv .Coef}} |
{{end}}{{with .DOpt}}| Approach 2: D_opt ∝ C^b | {{iv .Exponent}} | {{iv .Coef}} |
{{end}}{{end}}{{with .Analysis.KaplanN}}| Kaplan L(N) = (N_c/N)^α_N | {{iv .Exponent}} | {{iv .Scale}} |
{{end}}{{with .Analysis.KaplanD}}| Kaplan L(D) = (D_c/D)^α_D | {{iv .Exponent}} | {{iv .Scale}} |
{{end}}
{{with .Analysis.Limit}}## Held-out runs

Fitted to the {{.TrainPoints}} runs up to {{g .SplitCompute}} FLOPs; {{.Above}} of the {{.HeldOutPoints}} larger runs lie above their {{pct .Level}} interval, {{.Inside}} inside, {{.Below}} below.

| run | N | D | observed | predicted | residual | position |
| --- | --- | --- | --- | --- | --- | --- |
{{range .HeldOut}}| {{.Point.Run}} | {{si .Point.Params}} | {{si .Point.Tokens}} | {{g .Point.Loss}} | {{iv .Predicted}} | {{g .Residual}} | {{.Position}} |
{{end}}
| law | fitted to | held-out RMSE (log loss) | train RMSE |
| --- | --- | --- | --- |
{{range .Scores}}| {{.Law}} | {{.Data}} | {{g .HeldOutRMSE}} | {{g .TrainRMSE}} |
{{end}}{{with .Entropy}}
Fitted E = {{iv .E}} against the source's entropy H = {{g .H}} nats/token: E − H = {{g .Difference}} nats ({{pct1 .Relative}} of H), H {{if .Inside}}inside{{else}}outside{{end}} E's interval; the test of E against H: **{{.Outcome}}**.{{if .Floors}} Each size's own floor, L(D) = E_N + B/D^β fitted to its runs alone:

| N | runs | E_N | E_N − H |
| --- | --- | --- | --- |
{{$h := .H}}{{range .Floors}}| {{si .Params}} | {{.Points}} | {{g .E}} | {{g (sub .E $h)}} |
{{end}}{{end}}{{else}}
{{unknownH}}
{{end}}{{end}}
{{if .Problems}}## Runs left out
{{range .Problems}}
- {{.}}{{end}}
{{end}}{{if .Analysis.Warnings}}## Warnings
{{range .Analysis.Warnings}}
- {{.}}{{end}}
{{end}}
` + provenanceMarkdown + `{{define "mdlaw"}}| {{.Name}} | {{with .Est.Intervals}}{{iv .E}} | {{iv .A}} | {{iv .Alpha}} | {{iv .B}} | {{iv .Beta}} | {{iv .NExponent}} | {{iv .DExponent}}{{else}}{{with .Est.Fit.Law}}{{g .E}} | {{g .A}} | {{g .Alpha}} | {{g .B}} | {{g .Beta}} | | {{end}}{{end}} | {{g .Est.Fit.RMSE}} | {{.Est.Fit.Converged}} |
{{end}}`))

// markdownFigures is the figures section both Markdown pages share: each
// figure as PNG with its caption and a link to the SVG, then the figures
// that could not be drawn.
const markdownFigures = `{{define "figures"}}{{range .Figures}}
![{{.Title}}]({{.File}}.png)

**{{.Title}}.** {{.Caption}} ([SVG]({{.File}}.svg))
{{end}}{{if .Missing}}
Figures left out:
{{range .Missing}}
- {{.}}{{end}}
{{end}}{{end}}`

// markdownBase is a Markdown template with the report's functions and the
// shared "figures" section, ready for a page's own text.
func markdownBase(name string) *template.Template {
	return template.Must(template.New(name).Funcs(template.FuncMap(funcs)).Parse(markdownFigures))
}
