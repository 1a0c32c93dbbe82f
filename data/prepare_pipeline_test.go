package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// countSource yields n documents "0", "1", ... and can fail after some.
type countSource struct {
	n, failAt int
}

func (c countSource) Spec() string { return "count" }
func (c countSource) Root() string { return "" }
func (c countSource) Size() int64  { return int64(c.n) }
func (c countSource) Each(visit func(Doc) error) (SourceStats, error) {
	var st SourceStats
	for i := range c.n {
		if i == c.failAt {
			return st, errors.New("source failed")
		}
		st.Docs++
		if err := visit(Doc{Text: fmt.Append(nil, i), Read: int64(i + 1)}); err != nil {
			return st, err
		}
	}
	return st, nil
}

func TestEachOrdered(t *testing.T) {
	before := runtime.NumGoroutine()
	errWork, errEmit := errors.New("work failed"), errors.New("emit failed")
	for _, tt := range []struct {
		name           string
		src            countSource
		workAt, emitAt int64
		want           error
		wantEmitted    int
		workers        int
	}{
		{"all", countSource{n: 500, failAt: -1}, -1, -1, nil, 500, 3},
		{"one worker", countSource{n: 100, failAt: -1}, -1, -1, nil, 100, 1},
		{"work error", countSource{n: 500, failAt: -1}, 200, -1, errWork, -1, 3},
		{"emit error", countSource{n: 500, failAt: -1}, -1, 300, errEmit, 300, 2},
		{"source error", countSource{n: 500, failAt: 50}, -1, -1, errors.New("source failed"), 50, 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			emitted := 0
			_, err := eachOrdered(tt.src, tt.workers,
				func(i int64, d Doc) (string, error) {
					if i == tt.workAt {
						return "", errWork
					}
					return string(d.Text), nil
				},
				func(i int64, d Doc, r string) error {
					if i == tt.emitAt {
						return errEmit
					}
					if r != fmt.Sprint(emitted) || i != int64(emitted) {
						t.Fatalf("emitted %q as %d, want %d", r, i, emitted)
					}
					emitted++
					return nil
				})
			if (err == nil) != (tt.want == nil) || (err != nil && err.Error() != tt.want.Error()) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if tt.wantEmitted >= 0 && emitted != tt.wantEmitted {
				t.Errorf("emitted %d documents, want %d", emitted, tt.wantEmitted)
			}
		})
	}
	// Every goroutine has exited.
	for deadline := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left running, %d before", n, before)
	}
}

// hookSource is a countSource that calls hook from its reader just before
// it yields document at, on every pass.
type hookSource struct {
	countSource
	at   int
	hook func()
}

func (h hookSource) Each(visit func(Doc) error) (SourceStats, error) {
	return h.countSource.Each(func(d Doc) error {
		if d.Read == int64(h.at+1) {
			h.hook()
		}
		return visit(d)
	})
}

// TestPrepareStopsOnError checks that Prepare returns the error of an empty
// or failed source or of a failed shard write, leaves nothing at or beside out, and stops every
// goroutine of its pipeline.
func TestPrepareStopsOnError(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, tt := range []struct {
		name string
		src  func(parent string) Source
		want string
	}{
		{"no documents", func(string) Source { return countSource{n: 0, failAt: -1} }, "prepare count: train tokenizer bpe:260: no documents"},
		{"source error", func(string) Source { return countSource{n: 500, failAt: 100} }, "prepare count: train tokenizer bpe:260: source failed"},
		{"shard write error", func(parent string) Source {
			// The temporary folder that Prepare fills moves away (in one
			// rename, so no shard creation can race it), and the next
			// shard cannot be created.
			away := t.TempDir()
			return hookSource{countSource{n: 500, failAt: -1}, 30, func() {
				entries, _ := os.ReadDir(parent)
				for _, e := range entries {
					os.Rename(filepath.Join(parent, e.Name()), filepath.Join(away, e.Name()))
				}
			}}
		}, "no such file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			_, err := Prepare(filepath.Join(parent, "prep"), tt.src(parent),
				PrepareOptions{Tokenizer: "bpe:260", Format: ShardLLMC, ShardTokens: 1, Workers: 3})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("a failed Prepare left %v beside its output", entries)
			}
		})
	}
	for deadline := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left running, %d before", n, before)
	}
}
