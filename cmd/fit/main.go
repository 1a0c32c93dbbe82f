// Command fit fits scaling laws to a sweep's runs, or to a table of points
// measured elsewhere, and writes a report: every fitted number with its
// bootstrap interval in fit.json, the figures as PNG and SVG, and one HTML
// page with the verdict of the limit test.
//
//	go run ./cmd/fit -runs runs/sweep -out runs/sweep/report
//	go run ./cmd/fit -points points.csv -out report
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
