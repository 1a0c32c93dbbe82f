package data

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteShard writes tokens to w as one shard in the given format. It is an
// error if a token does not fit the format (see ShardFormat.MaxVocab) or if
// an llm.c shard would hold more tokens than its int32 header can count.
func WriteShard(w io.Writer, format ShardFormat, tokens []int32) error {
	if _, err := ParseShardFormat(string(format)); err != nil {
		return err
	}
	if err := format.checkTokens(tokens); err != nil {
		return err
	}
	if int64(len(tokens)) > format.maxTokens() {
		return fmt.Errorf("%s shard of %d tokens, want at most %d", format, len(tokens), format.maxTokens())
	}
	if _, err := w.Write(format.header(int64(len(tokens)))); err != nil {
		return err
	}
	buf := make([]byte, 0, readBlockTokens*format.tokenBytes())
	for len(tokens) > 0 {
		k := min(len(tokens), readBlockTokens)
		buf = format.appendTokens(buf[:0], tokens[:k])
		if _, err := w.Write(buf); err != nil {
			return err
		}
		tokens = tokens[k:]
	}
	return nil
}

// ShardFile describes a shard file written by a ShardWriter.
type ShardFile struct {
	File   string `json:"file"`   // the file name, without directory
	Tokens int64  `json:"tokens"` // tokens it holds
	SHA256 string `json:"sha256"` // hex SHA-256 of the whole file
}

// ShardWriter streams tokens into a new shard file, so that a shard larger
// than memory can be written. The header, which holds the token count, is
// filled in by Close.
type ShardWriter struct {
	path   string
	format ShardFormat
	f      *os.File
	bw     *bufio.Writer
	buf    []byte
	n      int64
}

// CreateShard creates (or truncates) the shard file at path.
func CreateShard(path string, format ShardFormat) (*ShardWriter, error) {
	if _, err := ParseShardFormat(string(format)); err != nil {
		return nil, fmt.Errorf("create shard %s: %w", path, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create shard: %w", err)
	}
	w := &ShardWriter{path: path, format: format, f: f, bw: bufio.NewWriterSize(f, 1<<20)}
	if _, err := w.bw.Write(format.header(0)); err != nil { // a placeholder until Close
		f.Close()
		return nil, fmt.Errorf("write shard %s: %w", path, err)
	}
	return w, nil
}

// Tokens returns the number of tokens written so far.
func (w *ShardWriter) Tokens() int64 { return w.n }

// Write appends tokens to the shard.
func (w *ShardWriter) Write(tokens []int32) error {
	if err := w.format.checkTokens(tokens); err != nil {
		return fmt.Errorf("write shard %s: %w", w.path, err)
	}
	if w.n+int64(len(tokens)) > w.format.maxTokens() {
		return fmt.Errorf("write shard %s: more than %d tokens, the most a %s shard holds", w.path, w.format.maxTokens(), w.format)
	}
	w.buf = w.format.appendTokens(w.buf[:0], tokens)
	if _, err := w.bw.Write(w.buf); err != nil {
		return fmt.Errorf("write shard %s: %w", w.path, err)
	}
	w.n += int64(len(tokens))
	return nil
}

// Close writes the header, closes the file and describes it, with a SHA-256
// read back from the file. The file is not synced; the caller syncs the
// directory it writes into (atomicfile.WriteDir does).
func (w *ShardWriter) Close() (ShardFile, error) {
	sum, err := w.finish()
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return ShardFile{}, fmt.Errorf("write shard %s: %w", w.path, err)
	}
	return ShardFile{File: filepath.Base(w.path), Tokens: w.n, SHA256: sum}, nil
}

// finish flushes the tokens, writes the header and hashes the file.
func (w *ShardWriter) finish() (string, error) {
	if err := w.bw.Flush(); err != nil {
		return "", err
	}
	if h := w.format.header(w.n); len(h) > 0 {
		if _, err := w.f.WriteAt(h, 0); err != nil {
			return "", err
		}
	}
	if _, err := w.f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	h := sha256.New()
	size, err := io.Copy(h, w.f)
	if err != nil {
		return "", err
	}
	if want := w.format.fileSize(w.n); size != want {
		return "", fmt.Errorf("file has %d bytes, want %d", size, want)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
