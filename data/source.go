package data

import (
	"fmt"
)

// Source streams the documents of a text corpus in a fixed order, one at a
// time, so that a corpus larger than memory never has to be held whole.
// Documents are the units of the train/validation split. Their bytes need
// not be valid UTF-8: byte-level BPE takes any bytes.
//
// OpenSource opens one from a spec string:
//
//	builtin              the built-in public-domain prose (see Builtin)
//	gosrc                every *.go file under $GOROOT/src; document = file
//	dir:PATH             the files under a directory; document = file
//	dir:PATH?glob=*.md   only the files whose names match the glob
//	jsonl:PATH           one JSON object per line; document = its "text" field
//	jsonl:PATH?field=body  the same, another field
//
// Parameters follow the first '?' as in a URL query (key=value pairs joined
// by '&'); an unknown parameter is an error.
//
// gosrc and dir read files in filepath.WalkDir order (lexical within each
// directory) and skip everything that is not a regular file; symbolic links
// are not followed. gosrc keeps every other *.go file whole, testdata
// included. dir also skips names that start with '.' (hidden files and
// directories such as .git) and files with a NUL byte in their first 8 KiB
// (binary). A file larger than maxdoc bytes (default 1 MiB; ?maxdoc=0
// never cuts) is cut as it is read into the documents that
// ChunkText(text, maxdoc/2, maxdoc) gives: paragraph-aligned pieces of at
// most maxdoc bytes, most of them over maxdoc/2.
// The glob matches file names, not directories. jsonl PATH may be a glob
// ("data/*.jsonl"); gzip-compressed files are detected and decompressed.
// Empty documents are skipped everywhere and counted in SourceStats.
//
// Token sources (bin:PATH, synthetic:KIND) are not text; LoadDataset reads
// them.
type Source interface {
	// Spec returns the spec the source was opened from.
	Spec() string
	// Root returns the resolved file, glob or directory the documents come
	// from, or "" for the built-in corpus.
	Root() string
	// Size returns the number of input bytes that a full pass of Each
	// reads (the sum of the file sizes), or -1 if it is not known.
	Size() int64
	// Each calls visit with every document, in order. It stops at the first
	// error visit returns and returns that error unchanged. Each may be
	// called more than once and yields the same documents every time, as
	// long as the files do not change.
	Each(visit func(Doc) error) (SourceStats, error)
}

// Doc is one document of a Source.
type Doc struct {
	// Text is the document's content. It is a fresh slice: the visitor may
	// keep it.
	Text []byte
	// Read counts the input bytes consumed so far, this document included.
	// It only grows during a pass and ends at Size, so it drives progress
	// displays.
	Read int64
}

// SourceStats counts what one pass over a Source delivered and skipped.
type SourceStats struct {
	Docs     int64 `json:"documents"`           // documents delivered
	Bytes    int64 `json:"bytes"`               // their total size
	Files    int64 `json:"files,omitempty"`     // input files read
	Empty    int64 `json:"empty,omitempty"`     // empty files, lines or fields skipped
	Binary   int64 `json:"binary,omitempty"`    // dir: files skipped as binary (a NUL byte near the start)
	BadLines int64 `json:"bad_lines,omitempty"` // jsonl: lines skipped as invalid JSON or without the text field
}

// SourceOptions holds the settings of OpenSource that are not part of a
// spec, because they concern the machine or the run rather than the data.
type SourceOptions struct {
	// GOROOT is the Go root whose src directory gosrc reads. Empty means
	// the running toolchain's: runtime.GOROOT(), else `go env GOROOT`.
	GOROOT string
	// SkipBadLines makes jsonl skip (and count) a line that is not a JSON
	// object with a string text field, instead of failing.
	SkipBadLines bool
}

// OpenSource opens the text source that spec names; see Source for the
// syntax. It checks that the files exist and, for file sources, lists them
// and sums their sizes, but reads no document.
func OpenSource(spec string, opts SourceOptions) (Source, error) {
	s, err := parseSpec(spec)
	if err != nil {
		return nil, err
	}
	return openSpec(s, opts)
}

// openSpec opens a parsed text spec.
func openSpec(s sourceSpec, opts SourceOptions) (Source, error) {
	switch s.kind {
	case "builtin":
		return openBuiltin(s)
	case "gosrc":
		return openGoSrc(s, opts.GOROOT)
	case "dir":
		return openDir(s)
	case "jsonl":
		return openJSONL(s, opts.SkipBadLines)
	case "bin", "synthetic":
		return nil, fmt.Errorf("data %q: %s sources hold tokens, not text; load them with LoadDataset", s.raw, s.kind)
	}
	return nil, fmt.Errorf("data %q: unknown source kind %q", s.raw, s.kind)
}
