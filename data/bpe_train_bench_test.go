package data

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// goSource reads every .go file under $GOROOT/src (about 90 MB), the large
// corpus of the training benchmarks. It skips b when the tree is missing.
func goSource(b *testing.B) [][]byte {
	b.Helper()
	root := filepath.Join(runtime.GOROOT(), "src")
	if _, err := os.Stat(root); err != nil {
		b.Skipf("no Go source tree: %v", err)
	}
	var docs [][]byte
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		doc, err := os.ReadFile(path)
		docs = append(docs, doc)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return docs
}

// BenchmarkTrainBPEGoSrc trains an 8192-token vocabulary on the Go source
// tree and reports the time of the counting and merging phases separately.
// Run it with
//
//	go test ./data -run '^$' -bench TrainBPEGoSrc -benchtime 1x
func BenchmarkTrainBPEGoSrc(b *testing.B) {
	docs := goSource(b)
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		t0 := time.Now()
		t, err := NewBPETrainer(8192)
		if err != nil {
			b.Fatal(err)
		}
		addAll(t, docs)
		count := time.Since(t0)
		if _, err := t.Train(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(count.Seconds(), "count-s")
		b.ReportMetric((time.Since(t0) - count).Seconds(), "merge-s")
	}
	b.Log(fmt.Sprintf("%d files, %d bytes, GOMAXPROCS %d", len(docs), size, runtime.GOMAXPROCS(0)))
}
