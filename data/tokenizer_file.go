package data

import (
	"bufio"
	"fmt"
	"os"

	"github.com/plateau-lab/plateau/internal/atomicfile"
)

// Save writes t as a tokenizer.json file at path, atomically (a temporary
// file in the same directory, synced and renamed over path), so that a crash
// never leaves a truncated tokenizer behind.
func (t *Tokenizer) Save(path string) error {
	if err := atomicfile.Write(path, t.WriteJSON); err != nil {
		return fmt.Errorf("save tokenizer: %w", err)
	}
	return nil
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
