package scaling

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// pointColumns are the CSV columns ReadPoints knows; params, tokens and
// loss are required, the rest optional. Other columns are ignored, so a
// table with extra measurements reads as is.
var pointColumns = []struct {
	name     string
	required bool
}{
	{"run", false}, {"preset", false}, {"params", true}, {"tokens", true}, {"flops", false}, {"loss", true}, {"arch", false},
}

// ReadPoints reads measured runs from a CSV file with a header line. The
// columns params (N), tokens (D) and loss (nats per token) are required,
// in any order; flops, run, preset and arch (the model family) are
// optional (an empty or absent flops means 6ND). Numbers must be positive and finite. Errors name the
// file, line and column.
func ReadPoints(path string) ([]Point, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read points: %w", err)
	}
	defer f.Close()
	return ReadPointsFrom(f, path)
}

// ReadPointsFrom is ReadPoints on a reader; name stands for the source in
// errors.
func ReadPointsFrom(r io.Reader, name string) ([]Point, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("read %s: empty file, want a header line naming the columns params, tokens, loss", name)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		for _, c := range pointColumns {
			if h != c.name {
				continue
			}
			if j, dup := col[h]; dup {
				return nil, fmt.Errorf("read %s: header: column %q appears twice (columns %d and %d)", name, h, j+1, i+1)
			}
			col[h] = i
		}
	}
	var missing []string
	for _, c := range pointColumns {
		if _, ok := col[c.name]; c.required && !ok {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("read %s: header %q lacks the column(s) %s: want params, tokens and loss (flops, run, preset, arch optional)", name, strings.Join(header, ","), strings.Join(missing, ", "))
	}

	var points []Point
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("read %s: line %d: %w", name, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		var p Point
		for _, c := range pointColumns {
			i, ok := col[c.name]
			if !ok {
				continue
			}
			field := strings.TrimSpace(rec[i])
			switch c.name {
			case "run":
				p.Run = field
				continue
			case "preset":
				p.Preset = field
				continue
			case "arch":
				p.Arch = field
				continue
			case "flops":
				if field == "" {
					continue
				}
			}
			v, err := strconv.ParseFloat(field, 64)
			if err != nil || !positiveFinite(v) {
				line, _ := cr.FieldPos(i)
				return nil, fmt.Errorf("read %s: line %d, column %d (%s): %q, want a positive finite number", name, line, i+1, c.name, field)
			}
			switch c.name {
			case "params":
				p.Params = v
			case "tokens":
				p.Tokens = v
			case "flops":
				p.FLOPs = v
			case "loss":
				p.Loss = v
			}
		}
		points = append(points, p)
	}
	if len(points) == 0 {
		return nil, fmt.Errorf("read %s: no data rows after the header, want at least one run", name)
	}
	return points, nil
}

// WritePoints writes points as CSV with the header
// run,preset,params,tokens,flops,loss,arch, the form ReadPoints reads back
// exactly (numbers in the shortest form that round-trips).
func WritePoints(w io.Writer, points []Point) error {
	cw := csv.NewWriter(w)
	rec := make([]string, len(pointColumns))
	for i, c := range pointColumns {
		rec[i] = c.name
	}
	if err := cw.Write(rec); err != nil {
		return fmt.Errorf("write points: %w", err)
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, p := range points {
		flops := ""
		if p.FLOPs != 0 {
			flops = num(p.FLOPs)
		}
		if err := cw.Write([]string{p.Run, p.Preset, num(p.Params), num(p.Tokens), flops, num(p.Loss), p.Arch}); err != nil {
			return fmt.Errorf("write points: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write points: %w", err)
	}
	return nil
}
