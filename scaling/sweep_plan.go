package scaling

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SavePlan writes the plan of the sweep folder out, OUT/plan.json, or
// checks that the one there is p: a folder holds one sweep, and a
// different plan is an error naming both (source says where p came from:
// its file, or "flags"). It returns the file's path.
func SavePlan(out string, p Plan, source string) (string, error) {
	path := filepath.Join(out, PlanFile)
	want, err := p.MarshalIndent()
	if err != nil {
		return path, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return path, fmt.Errorf("sweep folder: %w", err)
		}
		return path, WritePlan(path, p)
	}
	old, err := ReadPlan(path)
	if err != nil {
		return path, fmt.Errorf("sweep folder %s: %w", out, err)
	}
	got, err := old.MarshalIndent()
	if err != nil {
		return path, err
	}
	if !bytes.Equal(got, want) {
		return path, fmt.Errorf("%s differs from %s, the plan of the sweep in %s (%s): one folder holds one sweep; use another -out, "+
			"or remove %s to change the plan (runs whose config.json still matches are kept)",
			source, path, out, planDiff(old, p), path)
	}
	return path, nil
}

// planDiff says in which fields two plans differ.
func planDiff(a, b Plan) string {
	d := jsonDiff(a, b)
	if len(d) == 0 {
		return "same fields, different encoding"
	}
	return strings.Join(d, "; ")
}
