package scaling

import (
	"bytes"
	"testing"
)

func TestPrefixWriter(t *testing.T) {
	cases := []struct {
		writes []string
		want   string
	}{
		{[]string{"a\nb\n"}, "> a\n> b\n"},
		{[]string{"par", "tial\n", "next"}, "> partial\n> next"},
		{[]string{"\n\n"}, "> \n> \n"},
		{nil, ""},
	}
	for _, c := range cases {
		var out bytes.Buffer
		w := &prefixWriter{w: &out, prefix: []byte("> "), start: true}
		for _, s := range c.writes {
			if n, err := w.Write([]byte(s)); err != nil || n != len(s) {
				t.Fatalf("Write(%q) = %d, %v", s, n, err)
			}
		}
		if out.String() != c.want {
			t.Errorf("writes %q: got %q, want %q", c.writes, out.String(), c.want)
		}
	}
}
