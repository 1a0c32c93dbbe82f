package data

import (
	"unicode"
	"unicode/utf8"
)

// Character classes of GPT-2's pre-tokenization regex
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// Every character falls in exactly one class. A byte that does not start a
// valid UTF-8 sequence is treated as a one-byte character of class
// classOther, so any byte string splits into pre-tokens that concatenate back
// to it.
const (
	classOther = iota
	classLetter
	classNumber
	classSpace
)

// asciiClass holds the class of each ASCII byte.
var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for b := range t {
		t[b] = runeClass(rune(b))
	}
	return t
}()

// runeClass returns the class of a valid rune.
func runeClass(r rune) uint8 {
	switch {
	case unicode.IsLetter(r):
		return classLetter
	case unicode.IsNumber(r):
		return classNumber
	case unicode.IsSpace(r):
		return classSpace
	}
	return classOther
}

// charClass returns the class and byte length of the character that starts
// s, which must be non-empty.
func charClass(s []byte) (class uint8, size int) {
	if c := s[0]; c < utf8.RuneSelf {
		return asciiClass[c], 1
	}
	r, n := utf8.DecodeRune(s)
	if r == utf8.RuneError && n == 1 {
		return classOther, 1
	}
	return runeClass(r), n
}

// classRun returns the byte length of the longest prefix of s made of
// characters of class c.
func classRun(s []byte, c uint8) int {
	i := 0
	for i < len(s) {
		cc, n := charClass(s[i:])
		if cc != c {
			break
		}
		i += n
	}
	return i
}

// contraction returns the length of the English contraction suffix ('s, 't,
// 're, 've, 'm, 'll, 'd) that starts s, or 0. The match is case-sensitive,
// as in GPT-2.
func contraction(s []byte) int {
	if len(s) < 2 || s[0] != '\'' {
		return 0
	}
	switch s[1] {
	case 's', 't', 'm', 'd':
		return 2
	case 'r', 'v':
		if len(s) >= 3 && s[2] == 'e' {
			return 3
		}
	case 'l':
		if len(s) >= 3 && s[2] == 'l' {
			return 3
		}
	}
	return 0
}

// pretokenLen returns the byte length of the first pre-token of s, which must
// be non-empty. It follows the leftmost-first alternation of GPT-2's regex,
// evaluated by hand because Go's regexp lacks the (?!\S) lookahead.
func pretokenLen(s []byte) int {
	if n := contraction(s); n > 0 {
		return n
	}
	// " ?\p{L}+", " ?\p{N}+" and " ?[^\s\p{L}\p{N}]+" with the optional space.
	if s[0] == ' ' && len(s) > 1 {
		if c, _ := charClass(s[1:]); c != classSpace {
			return 1 + classRun(s[1:], c)
		}
	}
	c, n := charClass(s)
	if c != classSpace {
		return classRun(s, c)
	}
	// "\s+(?!\S)" backs off one character when the run is followed by a
	// non-space, leaving that last space to prefix the next word; a run of
	// a single character falls through to "\s+".
	last, end := 0, n
	for end < len(s) {
		c, n := charClass(s[end:])
		if c != classSpace {
			break
		}
		last = end
		end += n
	}
	if end < len(s) && last > 0 {
		return last
	}
	return end
}

// pretokenize appends the pre-tokens of s to dst and returns it. The
// pre-tokens are subslices of s and concatenate back to s.
func pretokenize(dst [][]byte, s []byte) [][]byte {
	for len(s) > 0 {
		n := pretokenLen(s)
		dst = append(dst, s[:n])
		s = s[n:]
	}
	return dst
}
