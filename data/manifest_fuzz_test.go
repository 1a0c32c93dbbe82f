package data

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzReadManifest checks that no manifest.json makes ReadManifest panic,
// and that a manifest it accepts is written back by WriteJSON as a file it
// reads to the same manifest.
func FuzzReadManifest(f *testing.F) {
	m := Manifest{
		Format:    ShardLLMC,
		Source:    ManifestSource{Spec: "jsonl:web.jsonl", Root: "web.jsonl", Stats: SourceStats{Docs: 3, Bytes: 120, Files: 1, BadLines: 1}},
		Tokenizer: ManifestTokenizer{Spec: "bpe:300", Kind: "bpe", Vocab: 300, EOT: 256, File: "tokenizer.json", SHA256: "ab"},
		Split:     ManifestSplit{ValFraction: 0.05, Seed: 1},
		Train:     ManifestPart{Documents: 2, Bytes: 80, Tokens: 70, Shards: []ShardFile{{File: "train_000.bin", Tokens: 40}, {File: "train_001.bin", Tokens: 30}}},
		Val:       ManifestPart{Documents: 1, Bytes: 40, Tokens: 20, Shards: []ShardFile{{File: "val_000.bin", Tokens: 20}}},
		Plateau:   BuildInfo{Module: "github.com/plateau-lab/plateau", Version: "(devel)", GoVersion: "go1.26"},
		Created:   time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC),
	}
	var good bytes.Buffer
	if err := m.WriteJSON(&good); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add(bytes.Replace(good.Bytes(), []byte(`"llmc"`), []byte(`"nanogpt"`), 1))
	f.Add(bytes.Replace(good.Bytes(), []byte(`"train_000.bin"`), []byte(`"../x.bin"`), 1))
	f.Add(bytes.Replace(good.Bytes(), []byte(`"tokens": 70`), []byte(`"tokens": 71`), 1))
	f.Add([]byte(`{"format": "llmc32", "tokenizer": {"vocab_size": 1}, "unknown": 1}`))
	dir := f.TempDir() // one per fuzzing process, which runs inputs one at a time
	f.Fuzz(func(t *testing.T, raw []byte) {
		if err := os.WriteFile(filepath.Join(dir, ManifestFile), raw, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadManifest(dir)
		if err != nil {
			return
		}
		var first bytes.Buffer
		if err := got.WriteJSON(&first); err != nil {
			t.Fatalf("WriteJSON of an accepted manifest: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, ManifestFile), first.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		again, err := ReadManifest(dir)
		if err != nil {
			t.Fatalf("ReadManifest of WriteJSON's output: %v\n%s", err, first.Bytes())
		}
		var second bytes.Buffer
		if err := again.WriteJSON(&second); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("manifest changed in a round trip:\n%s\nthen\n%s", first.Bytes(), second.Bytes())
		}
	})
}
