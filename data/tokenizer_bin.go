package data

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/plateau-lab/plateau/internal/atomicfile"
)

// llama2.c's tokenizer.bin is a sentencepiece vocabulary exported by its
// tokenizer.py: a little-endian int32, the length of the longest piece in
// bytes, then for every id in order a float32 score, an int32 length and
// that many bytes of piece text, with "▁" written as a space. The file does
// not say how many pieces it holds (run.c takes the model's vocab_size), so
// they are read to the end. Ids 0, 1 and 2 are "<unk>", the begin token and
// the end token (sentencepiece's defaults, which llama2.c's tokenizers
// keep; tokenizer.py writes the latter two as "\n<s>\n" and "\n</s>\n").

// Special ids of a tokenizer.bin.
const (
	binUnk = 0
	binBOS = 1
	binEOS = 2
)

// maxPieceBytes bounds a piece's length, far above any real vocabulary's.
const maxPieceBytes = 1 << 16

// LoadTokenizerBin reads a llama2.c tokenizer.bin file (ReadTokenizerBin).
func LoadTokenizerBin(path string) (*Tokenizer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load tokenizer: %w", err)
	}
	defer f.Close()
	t, err := ReadTokenizerBin(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("load tokenizer %s: %w", path, err)
	}
	return t, nil
}

// ReadTokenizerBin reads a llama2.c tokenizer.bin (the layout above) as a
// sentencepiece-style Tokenizer that encodes text as run.c's encode does
// (minus the begin token, see BOS) and decodes as its decode does. A
// truncated entry, a negative or oversized length, a piece longer than the
// declared maximum, a non-finite score, a repeated or empty piece and fewer
// than the three special ids are errors naming the entry.
func ReadTokenizerBin(r io.Reader) (*Tokenizer, error) {
	var maxLen int32
	if err := binary.Read(r, binary.LittleEndian, &maxLen); err != nil {
		return nil, fmt.Errorf("tokenizer.bin: read max_token_length: %w", truncated(err))
	}
	if maxLen <= 0 || maxLen > maxPieceBytes {
		return nil, fmt.Errorf("tokenizer.bin: max_token_length %d, want 1..%d (is this a llama2.c tokenizer.bin?)", maxLen, maxPieceBytes)
	}
	var (
		pieces []string
		scores []float32
		head   [8]byte
	)
	for id := 0; ; id++ {
		n, err := io.ReadFull(r, head[:])
		if n == 0 && errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("tokenizer.bin: piece %d: %w", id, truncated(err))
		}
		score := math.Float32frombits(binary.LittleEndian.Uint32(head[:4]))
		size := int32(binary.LittleEndian.Uint32(head[4:]))
		if math.IsNaN(float64(score)) || math.IsInf(float64(score), 0) {
			return nil, fmt.Errorf("tokenizer.bin: piece %d: score %v, want a finite number", id, score)
		}
		if size <= 0 || size > maxLen {
			return nil, fmt.Errorf("tokenizer.bin: piece %d: length %d, want 1..max_token_length %d", id, size, maxLen)
		}
		b := make([]byte, size)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, fmt.Errorf("tokenizer.bin: piece %d: %w", id, truncated(err))
		}
		pieces = append(pieces, string(b))
		scores = append(scores, score)
	}
	if len(pieces) < 3 {
		return nil, fmt.Errorf("tokenizer.bin: %d pieces, want at least the 3 special ones (<unk>, <s>, </s>)", len(pieces))
	}
	t, err := newSentencePiece(pieces, scores, binUnk, binBOS, binEOS)
	if err != nil {
		return nil, fmt.Errorf("tokenizer.bin: %w", err)
	}
	return t, nil
}

// truncated names an early end of input as such.
func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("file ends early (truncated)")
	}
	return err
}

// WriteTokenizerBin writes a sentencepiece-style t as a llama2.c
// tokenizer.bin that run.c encodes and decodes with as t does. The special
// ids must be llama2.c's 0, 1 and 2; the begin and end tokens are written
// as tokenizer.py writes them. A tokenizer read from a tokenizer.json has
// no scores: each piece's score is then minus the rank of its first merge
// (0 for pieces no merge makes, which start no merge either).
func (t *Tokenizer) WriteTokenizerBin(w io.Writer) error {
	sp := t.sp
	if sp == nil {
		return errors.New("write tokenizer.bin: a byte-level tokenizer has no sentencepiece vocabulary")
	}
	if sp.unk != binUnk || sp.bos != binBOS || t.eot != binEOS {
		return fmt.Errorf("write tokenizer.bin: special ids unk %d, bos %d, eos %d; llama2.c's are 0, 1, 2", sp.unk, sp.bos, t.eot)
	}
	pieces := make([]string, len(sp.pieces))
	copy(pieces, sp.pieces)
	pieces[binUnk], pieces[binBOS], pieces[binEOS] = UnknownToken, "\n"+BeginToken+"\n", "\n"+EndToken+"\n"
	maxLen := 0
	for _, p := range pieces {
		maxLen = max(maxLen, len(p))
	}
	bw := bufio.NewWriter(w)
	binary.Write(bw, binary.LittleEndian, int32(maxLen))
	for id, p := range pieces {
		binary.Write(bw, binary.LittleEndian, sp.scores[id])
		binary.Write(bw, binary.LittleEndian, int32(len(p)))
		bw.WriteString(p)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write tokenizer.bin: %w", err)
	}
	return nil
}

// SaveTokenizerBin writes t as a tokenizer.bin at path, atomically.
func (t *Tokenizer) SaveTokenizerBin(path string) error {
	if err := atomicfile.Write(path, t.WriteTokenizerBin); err != nil {
		return fmt.Errorf("save tokenizer: %w", err)
	}
	return nil
}

// LoadTokenizerFile reads a tokenizer given on a command line: a llama2.c
// tokenizer.bin when the name ends in .bin, otherwise a Hugging Face
// tokenizer.json.
func LoadTokenizerFile(path string) (*Tokenizer, error) {
	if strings.HasSuffix(path, ".bin") {
		return LoadTokenizerBin(path)
	}
	return LoadTokenizer(path)
}
