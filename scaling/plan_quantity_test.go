package scaling

import (
	"encoding/json"
	"testing"
)

func TestParseQuantity(t *testing.T) {
	cases := []struct {
		in   string
		want float64 // 0: an error
	}{
		{"1e6", 1e6}, {"2M", 2e6}, {" 1.5B", 1.5e9}, {"500k", 5e5}, {"3K", 3e3}, {"2G", 2e9},
		{"1.5e18", 1.5e18}, {"4T", 4e12}, {"3P", 3e15}, {"1000000", 1e6},
		{"", 0}, {"M", 0}, {"2X", 0}, {"-1M", 0}, {"0", 0}, {"inf", 0}, {"NaN", 0}, {"1e400", 0},
	}
	for _, c := range cases {
		got, err := ParseQuantity(c.in)
		switch {
		case c.want == 0 && err == nil:
			t.Errorf("ParseQuantity(%q) = %v, want an error", c.in, got)
		case c.want != 0 && (err != nil || got != c.want):
			t.Errorf("ParseQuantity(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	list, err := ParseQuantities("1e6, 2M")
	if err != nil || len(list) != 2 || list[1] != 2e6 {
		t.Errorf("ParseQuantities: %v, %v", list, err)
	}
	if _, err := ParseQuantities("1e6,,2M"); err == nil {
		t.Error("ParseQuantities with an empty item: no error")
	}
}

func TestFormatQuantity(t *testing.T) {
	cases := []struct {
		in   float64
		want string
	}{
		{4194304, "4.19M"}, {2e6, "2M"}, {2560, "2.56k"}, {999, "999"}, {1.5e9, "1.5B"}, {2.5e13, "25T"},
		{1e18, "1e+18"}, {106816, "107k"}, {9999, "10k"},
	}
	for _, c := range cases {
		if got := FormatQuantity(c.in); got != c.want {
			t.Errorf("FormatQuantity(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestQuantityJSON(t *testing.T) {
	var q []Quantity
	if err := json.Unmarshal([]byte(`[1e6, "2M", "1.5B"]`), &q); err != nil || q[1] != 2e6 || q[2] != 1.5e9 {
		t.Errorf("unmarshal: %v, %v", q, err)
	}
	for _, bad := range []string{`["lots"]`, `[true]`, `["-2M"]`} {
		if err := json.Unmarshal([]byte(bad), &q); err == nil {
			t.Errorf("unmarshal %s: no error", bad)
		}
	}
}
