package data

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"
)

// ManifestFile is the name of the manifest in a prepared data folder.
const ManifestFile = "manifest.json"

// preparedTokenizer is the name of the tokenizer in a prepared data folder.
const preparedTokenizer = "tokenizer.json"

// Manifest describes a prepared data folder: where the text came from, how
// it was split and tokenized, and every shard with its size and hash, so
// that a reader can check it got exactly what was written.
type Manifest struct {
	Format    ShardFormat       `json:"format"`
	Source    ManifestSource    `json:"source"`
	Tokenizer ManifestTokenizer `json:"tokenizer"`
	Split     ManifestSplit     `json:"split"`
	Train     ManifestPart      `json:"train"`
	Val       ManifestPart      `json:"val"`
	Plateau   BuildInfo         `json:"plateau"`
	Created   time.Time         `json:"created"`
}

// ManifestSource records the data spec and what it resolved to.
type ManifestSource struct {
	Spec  string      `json:"spec"`           // as given, e.g. "gosrc"
	Root  string      `json:"root,omitempty"` // the resolved directory or file
	Stats SourceStats `json:"stats"`          // what a pass delivered and skipped
}

// ManifestTokenizer records the tokenizer the shards were encoded with.
type ManifestTokenizer struct {
	Spec   string `json:"spec"` // as given: bpe:VOCAB, gpt2 or a tokenizer.json path
	Kind   string `json:"kind"` // bpe (trained on the training split), gpt2 or file
	Vocab  int    `json:"vocab_size"`
	EOT    int32  `json:"eot"`
	File   string `json:"file"`   // tokenizer.json
	SHA256 string `json:"sha256"` // of File
}

// ManifestSplit records how documents were divided (see Split).
type ManifestSplit struct {
	ValFraction float64 `json:"val_fraction"`
	Seed        uint64  `json:"seed"`
}

// ManifestPart describes one side of the split. Its token stream is the
// documents' tokens in source order with the end-of-text id between
// consecutive documents, cut into shards in order.
type ManifestPart struct {
	Documents int64       `json:"documents"`
	Bytes     int64       `json:"bytes"` // of the documents' text
	Tokens    int64       `json:"tokens"`
	Shards    []ShardFile `json:"shards"`
}

// BuildInfo identifies the program that wrote a file.
type BuildInfo struct {
	Module    string `json:"module,omitempty"`
	Version   string `json:"version,omitempty"`      // module version, "(devel)" in a checkout
	Revision  string `json:"vcs_revision,omitempty"` // commit, when built with VCS stamping
	Modified  bool   `json:"vcs_modified,omitempty"`
	GoVersion string `json:"go_version"`
}

// currentBuild reads the running binary's build information.
func currentBuild() BuildInfo {
	b := BuildInfo{GoVersion: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Module, b.Version = info.Main.Path, info.Main.Version
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// WriteJSON writes m as indented JSON.
func (m *Manifest) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ReadManifest reads and checks the manifest of a prepared data folder.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, ManifestFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", path, err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", path, err)
	}
	return &m, nil
}

// check verifies the manifest's internal consistency.
func (m *Manifest) check() error {
	if _, err := ParseShardFormat(string(m.Format)); err != nil {
		return fmt.Errorf("field format: %w", err)
	}
	if m.Tokenizer.Vocab < 1 || m.Tokenizer.Vocab > m.Format.MaxVocab() {
		return fmt.Errorf("field tokenizer.vocab_size %d, want 1..%d for format %s", m.Tokenizer.Vocab, m.Format.MaxVocab(), m.Format)
	}
	for _, p := range []struct {
		name string
		part ManifestPart
	}{{"train", m.Train}, {"val", m.Val}} {
		var sum int64
		for i, s := range p.part.Shards {
			if s.File == "" || filepath.Base(s.File) != s.File {
				return fmt.Errorf("field %s.shards[%d].file %q, want a file name without directory", p.name, i, s.File)
			}
			if s.Tokens < 0 || s.Tokens > m.Format.maxTokens() {
				return fmt.Errorf("field %s.shards[%d].tokens %d, want 0..%d for format %s", p.name, i, s.Tokens, m.Format.maxTokens(), m.Format)
			}
			if sum > math.MaxInt64-s.Tokens {
				return fmt.Errorf("field %s.shards: token counts overflow int64", p.name)
			}
			sum += s.Tokens
		}
		if sum != p.part.Tokens {
			return fmt.Errorf("field %s.tokens %d, but its shards hold %d", p.name, p.part.Tokens, sum)
		}
	}
	return nil
}
