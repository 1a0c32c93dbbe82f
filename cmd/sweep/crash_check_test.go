package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plateau-lab/plateau/scaling"
	"github.com/plateau-lab/plateau/train"
)

// crashState is what the crash test knows of the killed sweep's folder
// between kills.
type crashState struct {
	out string
	// finished maps each run with a result.json to the fingerprint of its
	// result.json and checkpoint when the test first saw it.
	finished map[string]string
	// ckpt is each run's checkpoint step after the last kill.
	ckpt map[string]int
}

// finishedRuns lists the runs that had a result.json at the last check.
func (st *crashState) finishedRuns() []string {
	var names []string
	for name := range st.finished {
		names = append(names, name)
	}
	return names
}

var resumedRE = regexp.MustCompile(`(?m)^  (\S+): resumed from .* at step (\d+)$`)

// check checks the sweep folder after round (-1: the final sweep) and the
// log of its process, which started with the runs done finished.
func (st *crashState) check(t *testing.T, round int, done []string, log string) {
	t.Helper()
	for _, name := range done {
		if regexp.MustCompile(`(?m)^(sweep: run \d+/\d+ ` + regexp.QuoteMeta(name) + `:|  ` + regexp.QuoteMeta(name) + `: )`).MatchString(log) {
			t.Fatalf("round %d: the process trained %s, finished before it started:\n%s", round, name, log)
		}
	}
	resumed := map[string]string{} // the step each run first resumed at
	for _, m := range resumedRE.FindAllStringSubmatch(log, -1) {
		if _, ok := resumed[m[1]]; !ok {
			resumed[m[1]] = m[2]
		}
	}
	for name, at := range st.ckpt {
		trained := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(name) + `: step `).MatchString(log)
		if step, ok := resumed[name]; (ok || trained) && step != strconv.Itoa(at) {
			t.Errorf("round %d: %s resumed at step %q (trained: %v); the kill before left its checkpoint at step %d", round, name, step, trained, at)
		}
	}

	runs, err := os.ReadDir(filepath.Join(st.out, "runs"))
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	clear(st.ckpt)
	for _, e := range runs {
		name, dir := e.Name(), filepath.Join(st.out, "runs", e.Name())
		if _, err := os.Stat(filepath.Join(dir, "config.json")); err == nil {
			var c scaling.RunConfig
			if err := decodeStrict(filepath.Join(dir, "config.json"), &c); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if _, err := os.Stat(train.ModelDir(dir)); err == nil || hasOld(dir) {
			ck, err := train.ReadCheckpoint(train.ModelDir(dir))
			if err != nil {
				t.Fatalf("round %d: %s: the checkpoint does not load: %v", round, name, err)
			}
			st.ckpt[name] = ck.State.Step
		}
		if _, err := os.Stat(filepath.Join(dir, "result.json")); err != nil {
			continue
		}
		var o scaling.RunOutcome
		if err := decodeStrict(filepath.Join(dir, "result.json"), &o); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if o.Status != scaling.StatusDone || o.Loss <= 0 {
			t.Fatalf("round %d: %s: result.json status %s, loss %v; want done", round, name, o.Status, o.Loss)
		}
		fp := fingerprint(t, dir)
		if was, ok := st.finished[name]; ok && was != fp {
			t.Fatalf("round %d: %s, finished earlier, changed:\nthen %s\nnow  %s", round, name, was, fp)
		}
		st.finished[name] = fp
	}
	if _, err := os.Stat(filepath.Join(st.out, "results.csv")); err == nil {
		rows := readResults(t, filepath.Join(st.out, "results.csv"))
		var names []string
		for _, r := range rows {
			names = append(names, r["run"])
		}
		if !slices.Equal(names, crashPoints) {
			t.Fatalf("round %d: results.csv lists runs %v, want %v", round, names, crashPoints)
		}
	}
}

// hasOld reports whether dir holds a checkpoint set aside by a save cut
// short between its two renames.
func hasOld(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ".model.old"))
	return err == nil
}

// decodeStrict decodes the JSON file path into v, refusing unknown
// fields and anything after the object: a file cut short fails.
func decodeStrict(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w\n%s", path, err, raw)
	}
	if dec.More() {
		return fmt.Errorf("%s: data after the JSON object", path)
	}
	return nil
}

// fingerprint is the content hash and modification time of a run
// folder's result.json and of every file of its checkpoint.
func fingerprint(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	paths := []string{filepath.Join(dir, "result.json")}
	entries, _ := os.ReadDir(train.ModelDir(dir))
	for _, e := range entries {
		paths = append(paths, filepath.Join(train.ModelDir(dir), e.Name()))
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		info, serr := os.Stat(p)
		if err != nil || serr != nil {
			t.Fatalf("fingerprint: %v %v", err, serr)
		}
		fmt.Fprintf(&b, "%s %x %s; ", filepath.Base(p), sha256.Sum256(raw), info.ModTime().Format(time.RFC3339Nano))
	}
	return b.String()
}

// readResults reads a results.csv, checking that it is a whole table
// with the columns of scaling.ResultColumns.
func readResults(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) == 0 || !slices.Equal(recs[0], scaling.ResultColumns) {
		t.Fatalf("%s: %v; want a table with the header %v (read %d lines)", path, err, scaling.ResultColumns, len(recs))
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, k := range recs[0] {
			m[k] = r[i]
		}
		rows = append(rows, m)
	}
	return rows
}
