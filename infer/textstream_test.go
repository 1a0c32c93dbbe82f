package infer

import (
	"strings"
	"testing"
)

// TestTextStream feeds token bytes and checks what is released at each
// step: UTF-8 characters split across tokens are held until whole, tails
// that may start a stop string are held until decided, and a stop string
// ends the text before it.
func TestTextStream(t *testing.T) {
	cases := []struct {
		name     string
		stops    []string
		tokens   []string
		released []string // per token, then the flush
		text     string
		stopped  bool
	}{
		{"ascii", nil, []string{"ab", "c"}, []string{"ab", "c", ""}, "abc", false},
		{"euro sign split over tokens", nil, []string{"h", "\xe2\x82", "\xac!"}, []string{"h", "", "€!", ""}, "h€!", false},
		{"four-byte character split thrice", nil, []string{"\xf0", "\x9f", "\x98", "\x80"}, []string{"", "", "", "😀", ""}, "😀", false},
		{"incomplete character flushed at the end", nil, []string{"a\xe2\x82"}, []string{"a", "\xe2\x82"}, "a\xe2\x82", false},
		{"invalid byte passes through", nil, []string{"\xff", "x"}, []string{"\xff", "x", ""}, "\xffx", false},
		{"stop string across tokens", []string{"END"}, []string{"abc", "E", "N", "Dxyz"}, []string{"abc", "", "", "", ""}, "abc", true},
		{"near miss released", []string{"END"}, []string{"abE", "N", "x"}, []string{"ab", "", "ENx", ""}, "abENx", false},
		{"earliest of two stop strings", []string{"yz", "\n\n"}, []string{"a\n", "\nxyz"}, []string{"a", "", ""}, "a", true},
		{"stop string inside one token", []string{"."}, []string{"hi. there"}, []string{"hi", ""}, "hi", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := &textStream{}
			for _, s := range c.stops {
				ts.stops = append(ts.stops, []byte(s))
			}
			var got []string
			stopped := false
			for _, tok := range c.tokens {
				out, stop := ts.add([]byte(tok))
				got = append(got, string(out))
				stopped = stopped || stop
			}
			got = append(got, string(ts.flush()))
			if strings.Join(got, "|") != strings.Join(c.released, "|") {
				t.Errorf("released %q, want %q", got, c.released)
			}
			if string(ts.text) != c.text || stopped != c.stopped {
				t.Errorf("text %q stopped %v, want %q %v", ts.text, stopped, c.text, c.stopped)
			}
		})
	}
}
