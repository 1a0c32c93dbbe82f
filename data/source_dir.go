package data

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// DefaultMaxDocBytes is the size above which a dir source cuts a file into
// several documents.
const DefaultMaxDocBytes = 1 << 20

// binarySniffBytes is how much of a file dir inspects for a NUL byte.
const binarySniffBytes = 8 << 10

// fileEntry is one input file and its size when the source was opened.
type fileEntry struct {
	path string
	size int64
}

// fileRules say which files of a tree a source keeps and how it cuts them.
type fileRules struct {
	glob       string // matched against file names; "" keeps all
	skipHidden bool   // skip names starting with '.'
	skipBinary bool   // skip files with a NUL byte near the start
	maxDoc     int    // cut larger files into pieces; 0 never cuts
}

// fileSource serves the files of a directory tree, whole or cut.
type fileSource struct {
	spec, root string
	files      []fileEntry
	size       int64
	rules      fileRules
}

func openDir(s sourceSpec) (Source, error) {
	maxDoc, err := s.intParam("maxdoc", DefaultMaxDocBytes, 0, 1<<30)
	if err != nil {
		return nil, err
	}
	if maxDoc == 1 {
		return nil, fmt.Errorf("data %q: parameter maxdoc=%d, want 0 (never cut) or 2 bytes to 1 GiB", s.raw, maxDoc)
	}
	rules := fileRules{glob: s.param("glob", ""), skipHidden: true, skipBinary: true, maxDoc: int(maxDoc)}
	if _, err := filepath.Match(rules.glob, ""); err != nil {
		return nil, fmt.Errorf("data %q: parameter glob=%q: %w", s.raw, rules.glob, err)
	}
	return openTree(s.raw, s.path, rules)
}

func openGoSrc(s sourceSpec, goroot string) (Source, error) {
	root, err := findGOROOT(goroot)
	if err != nil {
		return nil, fmt.Errorf("data %q: %w", s.raw, err)
	}
	return openTree(s.raw, filepath.Join(root, "src"), fileRules{glob: "*.go"})
}

// findGOROOT returns the Go root to read: explicit if set, else the first of
// runtime.GOROOT() and `go env GOROOT` that has a src directory.
func findGOROOT(explicit string) (string, error) {
	if explicit != "" {
		if !isDir(filepath.Join(explicit, "src")) {
			return "", fmt.Errorf("GOROOT %s has no src directory", explicit)
		}
		return explicit, nil
	}
	return resolveGOROOT(runtime.GOROOT(), goEnvGOROOT)
}

// goEnvGOROOT asks the go command for its GOROOT.
func goEnvGOROOT() (string, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	return strings.TrimSpace(string(out)), err
}

// resolveGOROOT picks the runtime's root if it has sources, else asks goEnv.
func resolveGOROOT(runtimeRoot string, goEnv func() (string, error)) (string, error) {
	var tried []string
	switch {
	case runtimeRoot == "":
		tried = append(tried, "runtime.GOROOT() is empty")
	case !isDir(filepath.Join(runtimeRoot, "src")):
		tried = append(tried, fmt.Sprintf("runtime.GOROOT() = %s has no src directory", runtimeRoot))
	default:
		return runtimeRoot, nil
	}
	r, err := goEnv()
	switch {
	case err != nil:
		tried = append(tried, fmt.Sprintf("`go env GOROOT` failed: %v", err))
	case r == "":
		tried = append(tried, "`go env GOROOT` printed nothing")
	case !isDir(filepath.Join(r, "src")):
		tried = append(tried, fmt.Sprintf("`go env GOROOT` = %s has no src directory", r))
	default:
		return r, nil
	}
	return "", fmt.Errorf("cannot find GOROOT with Go sources: %s; install Go or pass its root", strings.Join(tried, "; "))
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// openTree lists the files under dir that rules keep, in WalkDir order.
func openTree(spec, dir string, rules fileRules) (Source, error) {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("data %q: %w", spec, err)
	}
	if !isDir(root) {
		return nil, fmt.Errorf("data %q: %s is not a directory", spec, dir)
	}
	src := &fileSource{spec: spec, root: root, rules: rules}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != root && rules.skipHidden && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if rules.glob != "" {
			if ok, _ := filepath.Match(rules.glob, d.Name()); !ok {
				return nil
			}
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		src.files = append(src.files, fileEntry{path: path, size: fi.Size()})
		src.size += fi.Size()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("data %q: list files: %w", spec, err)
	}
	if len(src.files) == 0 {
		what := "no regular files"
		if rules.glob != "" {
			what = fmt.Sprintf("no files matching %q", rules.glob)
		}
		return nil, fmt.Errorf("data %q: %s under %s", spec, what, root)
	}
	return src, nil
}

func (f *fileSource) Spec() string { return f.spec }
func (f *fileSource) Root() string { return f.root }
func (f *fileSource) Size() int64  { return f.size }

func (f *fileSource) Each(visit func(Doc) error) (SourceStats, error) {
	var st SourceStats
	var before int64 // listed sizes of the files already read
	for _, fe := range f.files {
		st.Files++
		emit := func(text []byte, readInFile int64) error {
			st.Docs++
			st.Bytes += int64(len(text))
			return visit(Doc{Text: text, Read: before + min(readInFile, fe.size)})
		}
		if err := f.eachInFile(fe, &st, emit); err != nil {
			return st, err
		}
		before += fe.size
	}
	return st, nil
}

// eachInFile emits the documents of one file with the number of its bytes
// consumed so far. A file no larger than maxDoc when the source was opened
// is one document; a larger one is cut as it is read.
func (f *fileSource) eachInFile(fe fileEntry, st *SourceStats, emit func(text []byte, read int64) error) error {
	path := fe.path
	if f.rules.maxDoc == 0 || fe.size <= int64(f.rules.maxDoc) {
		text, err := os.ReadFile(path)
		switch {
		case err != nil:
			return err // names the path
		case len(text) == 0:
			st.Empty++
		case f.rules.skipBinary && isBinary(text):
			st.Binary++
		default:
			return emit(text, int64(len(text)))
		}
		return nil
	}
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	c := newChunkReader(fh, f.rules.maxDoc)
	for first := true; ; first = false {
		piece, err := c.next()
		switch {
		case err == io.EOF:
			if first {
				st.Empty++
			}
			return nil
		case err != nil:
			return fmt.Errorf("read %s: %w", path, err)
		case first && f.rules.skipBinary && c.binary:
			st.Binary++
			return nil
		}
		if err := emit(piece, c.consumed); err != nil {
			return err
		}
	}
}

// isBinary reports whether text has a NUL byte in its first
// binarySniffBytes, the test git and grep use to tell binary files.
func isBinary(text []byte) bool {
	return bytes.IndexByte(text[:min(len(text), binarySniffBytes)], 0) >= 0
}

// chunkReader cuts a stream into the pieces that ChunkText(text, maxDoc/2,
// maxDoc) gives for the whole text, holding only a window of 4*maxDoc
// bytes. A piece cut from the window equals the one cut from the whole text
// once the window extends more than maxDoc bytes past the piece's start (or
// to the end of the stream), because ChunkText looks no further ahead.
type chunkReader struct {
	r              io.Reader
	minDoc, maxDoc int
	win            []byte   // the window; its first start bytes are handed out
	start          int      // offset in win of pieces[0]
	pieces         [][]byte // ChunkText(win) less the pieces handed out
	eof            bool     // win reaches the end of the stream
	binary         bool     // the stream starts with binary bytes (see isBinary)
	consumed       int64    // bytes of the stream handed out as pieces
}

func newChunkReader(r io.Reader, maxDoc int) *chunkReader {
	return &chunkReader{r: r, minDoc: maxDoc / 2, maxDoc: maxDoc}
}

// next returns a fresh copy of the next piece, or io.EOF after the last.
func (c *chunkReader) next() ([]byte, error) {
	for {
		if len(c.pieces) > 0 && (c.eof || c.start+c.maxDoc < len(c.win)) {
			p := c.pieces[0]
			c.pieces = c.pieces[1:]
			c.start += len(p)
			c.consumed += int64(len(p))
			return bytes.Clone(p), nil
		}
		if c.eof {
			return nil, io.EOF
		}
		if err := c.fill(); err != nil {
			return nil, err
		}
	}
}

// fill moves the bytes not yet handed out to the front of the window, tops
// it up from the stream and cuts it again.
func (c *chunkReader) fill() error {
	first := c.win == nil
	if first {
		c.win = make([]byte, 0, 4*c.maxDoc)
	}
	n := copy(c.win[:cap(c.win)], c.win[c.start:])
	c.win, c.start = c.win[:n], 0
	for len(c.win) < cap(c.win) {
		k, err := c.r.Read(c.win[len(c.win):cap(c.win)])
		c.win = c.win[:len(c.win)+k]
		if err == io.EOF {
			c.eof = true
			break
		}
		if err != nil {
			return err
		}
	}
	if first {
		c.binary = isBinary(c.win)
	}
	c.pieces = ChunkText(c.win, c.minDoc, c.maxDoc)
	return nil
}
