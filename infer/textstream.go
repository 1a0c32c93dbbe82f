package infer

import (
	"bytes"
	"unicode/utf8"
)

// textStream turns the bytes of generated tokens into text that is safe to
// show as it arrives: it holds back a UTF-8 character split across tokens
// until it is whole, and any tail that may be the start of a stop string
// until it is known not to be one. It finds the first stop string in the
// text and cuts the text before it.
type textStream struct {
	stops   [][]byte
	text    []byte // the continuation so far, cut before a stop string once found
	emitted int    // bytes of text already handed out
	stopped bool
}

// add appends the bytes of one token and returns the text that became safe
// to show; stop reports that a stop string was found (the text then ends
// before it, and later adds return nothing).
func (ts *textStream) add(tok []byte) (out []byte, stop bool) {
	if ts.stopped {
		return nil, true
	}
	ts.text = append(ts.text, tok...)
	// A stop string cannot begin in the emitted text: its possible starts
	// were held back.
	first := -1
	for _, s := range ts.stops {
		if i := bytes.Index(ts.text[ts.emitted:], s); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	if first >= 0 {
		ts.text = ts.text[:ts.emitted+first]
		ts.stopped = true
		return ts.take(len(ts.text)), true
	}
	end := len(ts.text) - ts.heldForStop()
	end = completeRunes(ts.text[:end], ts.emitted)
	return ts.take(end), false
}

// flush returns whatever was held back, at the end of generation.
func (ts *textStream) flush() []byte { return ts.take(len(ts.text)) }

// take hands out text[emitted:end].
func (ts *textStream) take(end int) []byte {
	if end <= ts.emitted {
		return nil
	}
	out := ts.text[ts.emitted:end]
	ts.emitted = end
	return out
}

// heldForStop is the length of the longest tail of the unemitted text that
// is a proper prefix of a stop string.
func (ts *textStream) heldForStop() int {
	pending := ts.text[ts.emitted:]
	held := 0
	for _, s := range ts.stops {
		for n := min(len(s)-1, len(pending)); n > held; n-- {
			if bytes.HasSuffix(pending, s[:n]) {
				held = n
				break
			}
		}
	}
	return held
}

// completeRunes returns end moved back past an incomplete UTF-8 character
// at the end of b, but not before from. Invalid bytes count as complete:
// they are shown as they are.
func completeRunes(b []byte, from int) int {
	end := len(b)
	for i := end - 1; i >= from && i >= end-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:end]) {
				return i
			}
			break
		}
	}
	return end
}
