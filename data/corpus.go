package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"unicode/utf8"
)

// Default document sizes used by Builtin and ReadCorpus: documents are cut at
// paragraph boundaries once they reach DocMinBytes and never exceed
// DocMaxBytes, which gives pieces of roughly a chapter.
const (
	DocMinBytes = 8 << 10
	DocMaxBytes = 16 << 10
)

// builtinFS holds the gzip-compressed public-domain works of the built-in
// corpus; see corpus/README.md for their sources.
//
//go:embed corpus/*.txt.gz
var builtinFS embed.FS

// Corpus is a named collection of documents. Documents are the units of the
// train/validation split and are separated by the end-of-text token when
// tokenized.
type Corpus struct {
	Name string   // identifies the corpus in logs and errors
	Docs [][]byte // the documents, in a fixed order
}

// Bytes returns the total size of the documents.
func (c *Corpus) Bytes() int {
	n := 0
	for _, d := range c.Docs {
		n += len(d)
	}
	return n
}

// Builtin returns the built-in corpus: Moby-Dick, Jane Austen's six novels and
// The Devil's Dictionary (about 5.6 MB of English prose), in that order, each
// cut into documents of DocMinBytes to DocMaxBytes at paragraph boundaries.
// The result is the same on every call and the caller may modify it.
func Builtin() (*Corpus, error) {
	c := &Corpus{Name: "builtin"}
	for _, work := range []string{"moby_dick", "austen_all", "devil"} {
		path := "corpus/" + work + ".txt.gz"
		f, err := builtinFS.Open(path)
		if err != nil {
			return nil, fmt.Errorf("builtin corpus: %w", err)
		}
		w, err := ReadCorpus(work, f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("builtin corpus: %s: %w", path, err)
		}
		c.Docs = append(c.Docs, w.Docs...)
	}
	return c, nil
}

// ReadCorpus reads a text, gzip-compressed or not (detected from its first
// bytes), and cuts it into documents with ChunkText(text, DocMinBytes,
// DocMaxBytes). The text may be any bytes; it need not be valid UTF-8.
func ReadCorpus(name string, r io.Reader) (*Corpus, error) {
	br := bufio.NewReader(r)
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("read corpus %s: gzip header: %w", name, err)
		}
		defer zr.Close()
		src = zr
	}
	text, err := io.ReadAll(src)
	if err != nil {
		return nil, fmt.Errorf("read corpus %s: %w", name, err)
	}
	return &Corpus{Name: name, Docs: ChunkText(text, DocMinBytes, DocMaxBytes)}, nil
}

// ChunkText cuts text into consecutive pieces whose concatenation is text.
// A piece ends at the first paragraph boundary (the start of a line after a
// blank line) at which it holds at least minSize bytes, or earlier if the
// next paragraph would take it past maxSize. A paragraph longer than maxSize
// is cut at line ends, or failing that at a UTF-8 character boundary, so no
// piece exceeds maxSize. Sizes below 1 are raised to 1, and maxSize to
// minSize. The pieces share text's memory.
func ChunkText(text []byte, minSize, maxSize int) [][]byte {
	minSize = max(minSize, 1)
	maxSize = max(maxSize, minSize)
	var docs [][]byte
	for start := 0; start < len(text); {
		limit := min(len(text), start+maxSize)
		end := start
		for end < len(text) {
			next := nextParagraph(text, end, limit)
			if next < 0 {
				break
			}
			end = next
			if end-start >= minSize {
				break
			}
		}
		if end == start {
			end = hardCut(text, start, limit)
		}
		docs = append(docs, text[start:end:end])
		start = end
	}
	return docs
}

// nextParagraph returns the first paragraph boundary p with from < p <= limit,
// or the end of text if limit reaches it, or -1 if there is none.
func nextParagraph(text []byte, from, limit int) int {
	i := bytes.Index(text[from:limit], []byte("\n\n"))
	if i < 0 {
		if limit == len(text) {
			return limit
		}
		return -1
	}
	p := from + i + 2
	for p < len(text) && text[p] == '\n' {
		p++
	}
	if p > limit {
		return -1
	}
	return p
}

// hardCut returns where to cut a paragraph that does not fit between start
// and limit: after the last newline, else at the last character start.
func hardCut(text []byte, start, limit int) int {
	if limit == len(text) {
		return limit
	}
	if i := bytes.LastIndexByte(text[start:limit], '\n'); i >= 0 {
		return start + i + 1
	}
	for p := limit; p > start && p > limit-utf8.UTFMax; p-- {
		if utf8.RuneStart(text[p]) {
			return p
		}
	}
	return limit
}
