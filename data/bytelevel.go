package data

import "unicode/utf8"

// byteLevel is GPT-2's reversible mapping between bytes and printable runes.
// Printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') map to the rune with
// the same code point; the remaining 68 bytes map, in increasing byte order,
// to U+0100, U+0101, and so on. Token strings in tokenizer.json are written in
// this form so that every token is a printable string without spaces.
type byteLevel struct {
	toRune [256]rune
	toByte map[rune]byte
}

// gpt2ByteLevel is the fixed GPT-2 mapping. It is built once and never
// modified.
var gpt2ByteLevel = newByteLevel()

func newByteLevel() *byteLevel {
	bl := &byteLevel{toByte: make(map[rune]byte, 256)}
	next := rune(256)
	for b := 0; b < 256; b++ {
		r := rune(b)
		printable := ('!' <= b && b <= '~') || (0xA1 <= b && b <= 0xAC) || (0xAE <= b && b <= 0xFF)
		if !printable {
			r = next
			next++
		}
		bl.toRune[b] = r
		bl.toByte[r] = byte(b)
	}
	return bl
}

// encode returns the byte-level string form of the raw bytes b.
func (bl *byteLevel) encode(b []byte) string {
	buf := make([]byte, 0, 2*len(b))
	for _, c := range b {
		buf = utf8.AppendRune(buf, bl.toRune[c])
	}
	return string(buf)
}

// decode converts a byte-level string back to raw bytes. It reports false if
// s contains a rune outside the mapping.
func (bl *byteLevel) decode(s string) ([]byte, bool) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		b, ok := bl.toByte[r]
		if !ok {
			return nil, false
		}
		out = append(out, b)
	}
	return out, true
}
