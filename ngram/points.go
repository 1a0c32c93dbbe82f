package ngram

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
)

// Point is one fitted n-gram model measured on held-out windows: the
// baseline's (D, loss) for the report.
type Point struct {
	Order  int     // n
	Tokens float64 // D: predicted tokens of the training windows
	Loss   float64 // held-out nats per token
	BPB    float64 // held-out bits per byte (0 when unknown)
	Grams  int     // distinct n-grams of the highest order
}

var header = []string{"arch", "order", "tokens", "loss", "bpb", "grams"}

// WritePoints writes points as CSV, one row each, under a header.
func WritePoints(w io.Writer, points []Point) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, p := range points {
		row := []string{"ngram", strconv.Itoa(p.Order), strconv.FormatFloat(p.Tokens, 'g', -1, 64),
			strconv.FormatFloat(p.Loss, 'g', -1, 64), strconv.FormatFloat(p.BPB, 'g', -1, 64), strconv.Itoa(p.Grams)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadPoints reads a CSV WritePoints wrote; a bad row is an error naming
// the file, the line and the column.
func ReadPoints(path string) ([]Point, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read n-gram points: %w", err)
	}
	defer f.Close()
	return ReadPointsFrom(f, path)
}

// ReadPointsFrom is ReadPoints on a reader; path names it in errors.
func ReadPointsFrom(r io.Reader, path string) ([]Point, error) {
	cr := csv.NewReader(r)
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 || len(rows[0]) != len(header) || rows[0][0] != header[0] {
		return nil, fmt.Errorf("%s: want the header %v", path, header)
	}
	var out []Point
	for i, row := range rows[1:] {
		line := i + 2
		num := func(col int) (float64, error) {
			v, err := strconv.ParseFloat(row[col], 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return 0, fmt.Errorf("%s: line %d, column %s: want a finite number >= 0, got %q", path, line, header[col], row[col])
			}
			return v, nil
		}
		var p Point
		if len(row) != len(header) {
			return nil, fmt.Errorf("%s: line %d: %d columns, want %d", path, line, len(row), len(header))
		}
		var vals [5]float64
		for c := 1; c < len(header); c++ {
			if vals[c-1], err = num(c); err != nil {
				return nil, err
			}
		}
		if vals[0] != math.Trunc(vals[0]) || vals[4] != math.Trunc(vals[4]) || vals[4] > 1<<53 {
			return nil, fmt.Errorf("%s: line %d: order %v and grams %v: want whole numbers", path, line, vals[0], vals[4])
		}
		p.Order, p.Tokens, p.Loss, p.BPB, p.Grams = int(min(vals[0], 1e9)), vals[1], vals[2], vals[3], int(vals[4])
		if p.Order < 1 || p.Order > MaxOrder || !(p.Tokens > 0) || !(p.Loss > 0) {
			return nil, fmt.Errorf("%s: line %d: order %d, tokens %v, loss %v: want an order 1..%d and positive tokens and loss",
				path, line, p.Order, p.Tokens, p.Loss, MaxOrder)
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, errors.New(path + ": no points")
	}
	return out, nil
}
