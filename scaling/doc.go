// Package scaling measures scaling laws: it plans sweeps of model sizes N
// and token budgets D, runs them (resumably, on one device or as cluster
// array jobs), fits Chinchilla- and Kaplan-style laws to the final losses
// with bootstrap intervals, and tests whether a limit appears (held-out
// extrapolation, saturating against pure and broken power laws, fitted
// floors against a known entropy). Its figures are drawn by scaling/chart
// and its report written by scaling/report.
//
// The files come in two halves, by prefix.
//
// Running a sweep:
//
//   - plan*.go: Plan (the JSON file cmd/sweep reads), its validation, and
//     Expand, which numbers its runs and groups them into jobs;
//     hparams.go: the per-size learning rate, warmup and batch rules;
//     lrscan*.go: the optional learning-rate scan per preset.
//   - sweep*.go: Sweep, the resumable runner (sweep_run.go trains one run,
//     sweep_wsd.go branches decays off a stable run, sweep_results.go keeps
//     results.csv, sweep_progress.go prints progress and ETA).
//   - runs*.go: the run folder's files (config.json, result.json) and
//     LoadRuns, which reads finished runs back as Points and reports the
//     rest as Problems.
//   - emit.go: Slurm job arrays and Kubernetes Indexed Jobs.
//
// Fitting:
//
//   - point.go, points_csv.go: Point and Curve, and the CSV of points.
//   - law*.go: the laws (L(N, D), L(C), the broken law) and their losses.
//   - fit*.go: Approach 3 (fit.go, fit_objective.go, fit_optimize.go: Huber
//     loss on log loss, multi-start L-BFGS), Approach 1 (fit_frontier.go),
//     Approach 2 (fit_isoflop.go), Kaplan's laws (fit_kaplan.go).
//   - bootstrap*.go: resampling and percentile intervals.
//   - limit*.go: the limit test and its verdict.
//   - analysis*.go: Analyze, which runs every fit the points support, and
//     fit.json.
package scaling
