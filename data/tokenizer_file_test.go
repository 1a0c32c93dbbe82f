package data

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokenizer.json")
	if err := os.WriteFile(path, []byte("old contents"), 0o644); err != nil {
		t.Fatal(err)
	}
	tok := testTokenizer(t)
	if err := tok.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadTokenizer(path)
	if err != nil {
		t.Fatal(err)
	}
	text := []byte("It is a truth universally acknowledged")
	if !slices.Equal(got.Encode(text), tok.Encode(text)) {
		t.Error("loaded tokenizer encodes differently")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after Save, want only tokenizer.json", len(entries))
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("saved file mode = %v, %v; want 0644", info.Mode(), err)
	}
}

func TestSaveLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if err := testTokenizer(t).Save(filepath.Join(dir, "missing", "tok.json")); err == nil || !strings.Contains(err.Error(), "save tokenizer") {
		t.Errorf("Save into a missing directory: error = %v", err)
	}
	if _, err := LoadTokenizer(filepath.Join(dir, "absent.json")); err == nil || !strings.Contains(err.Error(), "absent.json") {
		t.Errorf("LoadTokenizer of a missing file: error = %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"model": {"type": "Unigram"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTokenizer(bad); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("LoadTokenizer of a bad file: error = %v", err)
	}
}
