package data

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// writeTree creates files (path -> content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o666); err != nil {
			t.Fatal(err)
		}
	}
}

// collect runs a full pass and returns the documents as strings.
func collect(t *testing.T, src Source) ([]string, SourceStats) {
	t.Helper()
	var docs []string
	var last int64
	st, err := src.Each(func(d Doc) error {
		if d.Read < last || (src.Size() >= 0 && d.Read > src.Size()) {
			t.Errorf("progress went from %d to %d (size %d)", last, d.Read, src.Size())
		}
		last = d.Read
		docs = append(docs, string(d.Text))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return docs, st
}

func TestParseSpec(t *testing.T) {
	tests := []struct {
		spec, kind, path, err string
	}{
		{spec: "builtin", kind: "builtin"},
		{spec: "gosrc", kind: "gosrc"},
		{spec: "dir:/a/b?glob=*.md&maxdoc=100", kind: "dir", path: "/a/b"},
		{spec: "jsonl:x.jsonl?field=body", kind: "jsonl", path: "x.jsonl"},
		{spec: "bin:prep/gosrc", kind: "bin", path: "prep/gosrc"},
		{spec: "synthetic:markov1?train=10", kind: "synthetic", path: "markov1"},
		{spec: "web:x", err: `unknown source kind "web"`},
		{spec: "dir", err: "want dir:PATH"},
		{spec: "gosrc:/usr", err: "gosrc takes no path"},
		{spec: "builtin?x=1", err: "builtin takes no parameters"},
		{spec: "dir:a?glob=*.md&colour=red", err: `unknown parameter "colour", want one of glob, maxdoc`},
		{spec: "dir:a?glob=a&glob=b", err: `parameter "glob" given 2 times`},
		{spec: "dir:a?", err: "empty parameter list"},
		{spec: "dir:a?glob=%zz", err: "parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, err := parseSpec(tt.spec)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), tt.spec) {
					t.Fatalf("error %v, want one naming the spec and containing %q", err, tt.err)
				}
				return
			}
			if err != nil || s.kind != tt.kind || s.path != tt.path {
				t.Fatalf("got kind %q path %q err %v, want %q %q", s.kind, s.path, err, tt.kind, tt.path)
			}
		})
	}
}

func TestDirSource(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"b.txt":          "bee",
		"a.txt":          "ay",
		"notes.md":       "markdown",
		"sub/c.txt":      "sea \xff\xfe not UTF-8",
		"sub/empty.txt":  "",
		"sub/blob.txt":   "PK\x00\x01binary",
		".hidden.txt":    "hidden",
		".git/HEAD.txt":  "ref",
		"sub/.x/in.txt":  "in a hidden dir",
		"zz/deep/d.txt":  "dee",
		"zz/deep/d.text": "not matched",
	})
	if err := os.Symlink(filepath.Join(dir, "a.txt"), filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		spec string
		docs []string
		st   SourceStats
	}{
		{"dir:" + dir + "?glob=*.txt", []string{"ay", "bee", "sea \xff\xfe not UTF-8", "dee"},
			SourceStats{Docs: 4, Bytes: 2 + 3 + 16 + 3, Files: 6, Empty: 1, Binary: 1}},
		{"dir:" + dir, []string{"ay", "bee", "markdown", "sea \xff\xfe not UTF-8", "not matched", "dee"},
			SourceStats{Docs: 6, Bytes: 2 + 3 + 8 + 16 + 11 + 3, Files: 8, Empty: 1, Binary: 1}},
		{"dir:" + dir + "?glob=*.md&maxdoc=0", []string{"markdown"}, SourceStats{Docs: 1, Bytes: 8, Files: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.spec[len(dir)+4:], func(t *testing.T) {
			src, err := OpenSource(tt.spec, SourceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			docs, st := collect(t, src)
			if !slices.Equal(docs, tt.docs) || st != tt.st {
				t.Errorf("got %q %+v, want %q %+v", docs, st, tt.docs, tt.st)
			}
			if again, _ := collect(t, src); !slices.Equal(again, docs) {
				t.Errorf("second pass gave %q", again)
			}
		})
	}
	for spec, want := range map[string]string{
		"dir:" + dir + "?glob=*.pdf":         "no files matching",
		"dir:" + dir + "?glob=[":             "syntax error",
		"dir:" + dir + "?maxdoc=1":           "maxdoc=1, want 0 (never cut) or 2 bytes to 1 GiB",
		"dir:" + dir + "?maxdoc=-5":          "maxdoc=\"-5\", want an integer from 0 to 1073741824",
		"dir:" + dir + "?maxdoc=2000000000":  "maxdoc=\"2000000000\", want an integer from 0 to 1073741824",
		"dir:" + filepath.Join(dir, "nope"):  "no such file",
		"dir:" + filepath.Join(dir, "a.txt"): "is not a directory",
	} {
		if _, err := OpenSource(spec, SourceOptions{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("OpenSource(%q): error %v, want %q", spec, err, want)
		}
	}
}

// paragraphs returns n bytes of random lines and paragraphs, with some long
// lines and some long runs without a newline.
func paragraphs(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	var b []byte
	for len(b) < n {
		switch r.IntN(10) {
		case 0:
			b = append(b, "\n\n"...)
		case 1:
			b = append(b, "\n\n\n\n"...)
		case 2:
			b = append(b, bytes.Repeat([]byte("é"), r.IntN(300))...)
		default:
			b = append(b, fmt.Sprintf("line %d of words\n", r.IntN(1000))...)
		}
	}
	return b[:n]
}

func TestChunkReaderMatchesChunkText(t *testing.T) {
	for _, tt := range []struct{ size, maxDoc int }{
		{0, 64}, {10, 64}, {5000, 64}, {5000, 200}, {20000, 1000}, {3000, 2}, {64 * 4, 64},
	} {
		text := paragraphs(tt.size, uint64(tt.size+tt.maxDoc))
		want := ChunkText(text, tt.maxDoc/2, tt.maxDoc)
		c := newChunkReader(iotest.HalfReader(bytes.NewReader(text)), tt.maxDoc)
		var got [][]byte
		for {
			p, err := c.next()
			if err != nil {
				break
			}
			got = append(got, p)
		}
		if !slices.EqualFunc(got, want, bytes.Equal) {
			t.Errorf("size %d maxdoc %d: %d streamed pieces differ from ChunkText's %d", tt.size, tt.maxDoc, len(got), len(want))
		}
	}
}

func TestDirSourceCutsLargeFiles(t *testing.T) {
	dir := t.TempDir()
	big, mid := paragraphs(50_000, 3), paragraphs(4000, 4)
	writeTree(t, dir, map[string]string{"big.txt": string(big), "mid.txt": string(mid), "small.txt": "small"})
	src, err := OpenSource("dir:"+dir+"?maxdoc=4096", SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	docs, st := collect(t, src)
	var want []string
	for _, p := range ChunkText(big, 2048, 4096) {
		want = append(want, string(p))
	}
	want = append(want, string(mid), "small") // not above maxdoc: whole
	if !slices.Equal(docs, want) || st.Files != 3 || st.Bytes != int64(len(big)+len(mid)+5) {
		t.Errorf("got %d documents (%+v), want %d", len(docs), st, len(want))
	}
}

func TestGoSrcSource(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"src/fmt/print.go":          "package fmt",
		"src/fmt/print_test.go":     "package fmt_test",
		"src/fmt/doc.txt":           "not go",
		"src/runtime/asm.s":         "TEXT",
		"src/cmd/x/testdata/bad.go": "package \x00 broken",
		"src/empty/empty.go":        "",
		"src/.hidden/h.go":          "package h",
		"pkg/tool/x.go":             "outside src",
	})
	if err := os.Symlink(filepath.Join(root, "src/fmt/print.go"), filepath.Join(root, "src/link.go")); err != nil {
		t.Fatal(err)
	}
	src, err := OpenSource("gosrc", SourceOptions{GOROOT: root})
	if err != nil {
		t.Fatal(err)
	}
	docs, st := collect(t, src)
	want := []string{"package h", "package \x00 broken", "package fmt", "package fmt_test"}
	if !slices.Equal(docs, want) || st.Empty != 1 || st.Files != 5 {
		t.Errorf("got %q %+v, want %q", docs, st, want)
	}
	if src.Root() != filepath.Join(root, "src") {
		t.Errorf("root %s, want %s/src", src.Root(), root)
	}

	missing := filepath.Join(root, "pkg")
	_, err = OpenSource("gosrc", SourceOptions{GOROOT: missing})
	if err == nil || !strings.Contains(err.Error(), "GOROOT "+missing+" has no src directory") {
		t.Errorf("error %v, want one naming the GOROOT", err)
	}
}

func TestJSONLSource(t *testing.T) {
	dir := t.TempDir()
	lines := strings.Join([]string{
		`{"text": "first", "id": 1}`,
		``,
		`{"text": "second \u00e9\n", "meta": {"text": "nested"}}`,
		`{"body": "no text field"}`,
		`not json at all`,
		`{"text": 42}`,
		`{"text": ""}`,
		`{"text": null}`,
		`[1, 2]`,
		`{"text": "crlf"}` + "\r",
		`{"text": "last, no newline"}`,
	}, "\n")
	writeTree(t, dir, map[string]string{"a.jsonl": lines, "b.jsonl": `{"body": "b1"}` + "\n" + `{"body": "b2"}` + "\n"})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"text": "zipped"}` + "\n"))
	zw.Close()
	writeTree(t, dir, map[string]string{"c.jsonl.gz": gz.String()})
	a := filepath.Join(dir, "a.jsonl")

	src, err := OpenSource("jsonl:"+a, SourceOptions{SkipBadLines: true})
	if err != nil {
		t.Fatal(err)
	}
	docs, st := collect(t, src)
	want := []string{"first", "second é\n", "crlf", "last, no newline"}
	if !slices.Equal(docs, want) || st.BadLines != 5 || st.Empty != 2 || st.Docs != 4 {
		t.Errorf("skip: got %q %+v, want %q with 5 bad lines and 2 empty", docs, st, want)
	}

	src, err = OpenSource("jsonl:"+a, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Each(func(Doc) error { return nil })
	if err == nil || !strings.Contains(err.Error(), a+" line 4") || !strings.Contains(err.Error(), `no field "text"`) {
		t.Errorf("fail: error %v, want one naming %s line 4 and the missing field", err, a)
	}

	src, err = OpenSource("jsonl:"+filepath.Join(dir, "*.jsonl*")+"?field=body", SourceOptions{SkipBadLines: true})
	if err != nil {
		t.Fatal(err)
	}
	docs, st = collect(t, src)
	if want := []string{"no text field", "b1", "b2"}; !slices.Equal(docs, want) || st.Files != 3 {
		t.Errorf("glob, field body: got %q %+v, want %q from 3 files", docs, st, want)
	}

	src, err = OpenSource("jsonl:"+filepath.Join(dir, "c.jsonl.gz"), SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if docs, _ := collect(t, src); !slices.Equal(docs, []string{"zipped"}) {
		t.Errorf("gzip: got %q", docs)
	}

	for spec, want := range map[string]string{
		"jsonl:" + filepath.Join(dir, "none.jsonl"): "no such file",
		"jsonl:" + filepath.Join(dir, "*.json"):     "no files match",
		"jsonl:" + a + "?field=":                    "field is empty",
	} {
		if _, err := OpenSource(spec, SourceOptions{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("OpenSource(%q): error %v, want %q", spec, err, want)
		}
	}
}

// TestJSONLHugeLine reads a 100 MB line, far beyond bufio.Scanner's default
// limit.
func TestJSONLHugeLine(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and parses 100 MB")
	}
	const n = 100 << 20
	path := filepath.Join(t.TempDir(), "huge.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"text": "`)
	f.Write(bytes.Repeat([]byte("abcdefgh"), n/8))
	f.WriteString("\"}\n{\"text\": \"after\"}\n")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	src, err := OpenSource("jsonl:"+path, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	if _, err := src.Each(func(d Doc) error {
		sizes = append(sizes, len(d.Text))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sizes, []int{n, 5}) {
		t.Errorf("document sizes %v, want [%d 5]", sizes, n)
	}
}

func TestBuiltinSource(t *testing.T) {
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	src, err := OpenSource("builtin", SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	docs, st := collect(t, src)
	if len(docs) != len(c.Docs) || docs[7] != string(c.Docs[7]) || st.Bytes != int64(c.Bytes()) || src.Size() != st.Bytes {
		t.Errorf("builtin source gave %d documents, %d bytes; want %d, %d", len(docs), st.Bytes, len(c.Docs), c.Bytes())
	}
}

func TestOpenSourceTokenKinds(t *testing.T) {
	for _, spec := range []string{"bin:x", "synthetic:markov1"} {
		if _, err := OpenSource(spec, SourceOptions{}); err == nil || !strings.Contains(err.Error(), "LoadDataset") {
			t.Errorf("OpenSource(%q): error %v, want one pointing to LoadDataset", spec, err)
		}
	}
}

func TestResolveGOROOT(t *testing.T) {
	good := t.TempDir()
	writeTree(t, good, map[string]string{"src/a.go": "package a"})
	bogus := filepath.Join(t.TempDir(), "go")
	env := func(root string, err error) func() (string, error) {
		return func() (string, error) { return root, err }
	}
	tests := []struct {
		runtimeRoot string
		goEnv       func() (string, error)
		want, err   string
	}{
		{good, env("", errors.New("not called")), good, ""},
		{bogus, env(good, nil), good, ""},
		{"", env(good, nil), good, ""},
		{bogus, env("", errors.New(`exec: "go": executable file not found in $PATH`)), "",
			"cannot find GOROOT with Go sources: runtime.GOROOT() = " + bogus + " has no src directory; `go env GOROOT` failed: exec"},
		{"", env(bogus, nil), "", "`go env GOROOT` = " + bogus + " has no src directory"},
	}
	for i, tt := range tests {
		got, err := resolveGOROOT(tt.runtimeRoot, tt.goEnv)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("case %d: got %q, %v; want %q, %q", i, got, err, tt.want, tt.err)
		}
	}
}
