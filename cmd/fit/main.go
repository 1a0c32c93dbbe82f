// Command fit fits scaling laws to a sweep's runs, or to a table of points
// measured elsewhere, and writes a report: every fitted number with its
// bootstrap interval in fit.json, the figures as PNG and SVG, and one HTML
// page with the verdict of the limit test.
//
//	go run ./cmd/fit -runs runs/sweep -out runs/sweep/report
//	go run ./cmd/fit -points points.csv -out report
//	go run ./cmd/fit -runs runs/arch -ngram runs/arch/transformer/ngram.csv -out runs/arch/report
//
// When the points hold more than one model family (the arch of their runs,
// or a points.csv arch column), or -ngram adds the n-gram baseline, every
// law is fitted per family: each family's full report goes into OUT/ARCH/,
// and OUT/report.html puts the families side by side (their fitted
// exponents and floors with intervals, which one scales better in N and in
// D, the verdict of each, their compute frontiers on one figure, the loss
// by position in the context of each family's largest run, the n-gram
// curve).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "fit:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}
