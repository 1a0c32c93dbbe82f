package data

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Save writes t as a tokenizer.json file at path, atomically: it writes a
// temporary file in the same directory, syncs it, and renames it over path,
// so that a crash never leaves a truncated tokenizer behind.
func (t *Tokenizer) Save(path string) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, base+".tmp-*")
	if err != nil {
		return fmt.Errorf("save tokenizer %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("save tokenizer %s: %w", path, err)
		}
	}()
	w := bufio.NewWriter(f)
	if err := t.WriteJSON(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir flushes a directory entry change, such as a rename, to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// LoadTokenizer reads a tokenizer.json file written by Save or by the Hugging
// Face tokenizers library; see ReadTokenizerJSON for what it accepts.
func LoadTokenizer(path string) (*Tokenizer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load tokenizer: %w", err)
	}
	defer f.Close()
	t, err := ReadTokenizerJSON(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("load tokenizer %s: %w", path, err)
	}
	return t, nil
}
