// Package scaling measures scaling laws: it plans sweeps of model sizes N
// and token budgets D, runs them (resumably, on one device or as cluster
// array jobs), fits Chinchilla- and Kaplan-style laws to the final losses
// with bootstrap intervals, tests whether a limit appears (held-out
// extrapolation, saturating against pure and broken power laws, fitted E
// against a known entropy), and writes plots and an HTML report.
package scaling
