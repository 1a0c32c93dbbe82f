package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// jsonlReadBuffer is the size of the buffered reader under a JSONL file.
// Lines of any length are read; longer ones are gathered in pieces.
const jsonlReadBuffer = 1 << 20

// jsonlSource serves one field of each line of JSON Lines files.
type jsonlSource struct {
	spec, root string
	field      string
	skipBad    bool
	files      []fileEntry
	size       int64
}

func openJSONL(s sourceSpec, skipBad bool) (Source, error) {
	src := &jsonlSource{spec: s.raw, root: s.path, field: s.param("field", "text"), skipBad: skipBad}
	if src.field == "" {
		return nil, fmt.Errorf("data %q: parameter field is empty", s.raw)
	}
	paths := []string{s.path}
	if strings.ContainsAny(s.path, "*[") {
		var err error
		if paths, err = filepath.Glob(s.path); err != nil {
			return nil, fmt.Errorf("data %q: %w", s.raw, err)
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("data %q: no files match %s", s.raw, s.path)
		}
	}
	for _, p := range paths { // filepath.Glob sorts its matches
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("data %q: %w", s.raw, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("data %q: %s is not a regular file", s.raw, p)
		}
		src.files = append(src.files, fileEntry{path: p, size: fi.Size()})
		src.size += fi.Size()
	}
	return src, nil
}

func (j *jsonlSource) Spec() string { return j.spec }
func (j *jsonlSource) Root() string { return j.root }
func (j *jsonlSource) Size() int64  { return j.size }

func (j *jsonlSource) Each(visit func(Doc) error) (SourceStats, error) {
	var st SourceStats
	var before int64
	for _, fe := range j.files {
		st.Files++
		if err := j.eachInFile(fe, before, &st, visit); err != nil {
			return st, err
		}
		before += fe.size
	}
	return st, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// eachInFile emits the documents of one JSONL file, plain or gzipped.
func (j *jsonlSource) eachInFile(fe fileEntry, before int64, st *SourceStats, visit func(Doc) error) error {
	f, err := os.Open(fe.path)
	if err != nil {
		return err
	}
	defer f.Close()
	raw := &countingReader{r: f} // compressed bytes, for progress
	br := bufio.NewReaderSize(raw, jsonlReadBuffer)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("read %s: gzip header: %w", fe.path, err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, jsonlReadBuffer)
	}
	var line []byte
	for lineNo := 1; ; lineNo++ {
		var err error
		line, err = readLine(br, line[:0])
		if err != nil && err != io.EOF {
			return fmt.Errorf("read %s line %d: %w", fe.path, lineNo, err)
		}
		if len(line) == 0 && err == io.EOF {
			return nil
		}
		text, bad := j.text(line)
		switch {
		case bad != nil && !j.skipBad:
			return fmt.Errorf("jsonl %s line %d: %w", fe.path, lineNo, bad)
		case bad != nil:
			st.BadLines++
		case len(text) == 0:
			st.Empty++
		default:
			st.Docs++
			st.Bytes += int64(len(text))
			read := before + min(raw.n, fe.size) // ahead by at most the read buffer
			if err := visit(Doc{Text: text, Read: read}); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if cap(line) > 64<<20 {
			line = nil // do not hold on to the buffer of a huge line
		}
	}
}

// readLine appends the next line of br to buf, without its line ending. It
// returns io.EOF with the last line when that has no final newline, and
// with an empty result after the last line.
func readLine(br *bufio.Reader, buf []byte) ([]byte, error) {
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == nil {
			buf = bytes.TrimSuffix(buf[:len(buf)-1], []byte("\r"))
		}
		return buf, err
	}
}

// errNotObject says that a JSONL line holds JSON but not an object.
var errNotObject = errors.New("line is not a JSON object")

// text returns the configured field of one JSONL line as a fresh slice, nil
// for a blank line, or why the line is bad.
func (j *jsonlSource) text(line []byte) ([]byte, error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return nil, nil
	}
	if line[0] != '{' {
		if !json.Valid(line) {
			return nil, errors.New("invalid JSON")
		}
		return nil, errNotObject
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	raw, ok := obj[j.field]
	if !ok || string(raw) == "null" {
		return nil, fmt.Errorf("no field %q", j.field)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("field %q is not a string", j.field)
	}
	return []byte(s), nil
}
