package scaling

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadPointsFixture(t *testing.T) {
	pts, err := ReadPoints(filepath.Join("testdata", "fit", "points_shuffled.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Point{
		{Run: "r1", Params: 1.5e6, Tokens: 1e9, Loss: 3.25},
		{Run: "r2", Params: 3e6, Tokens: 4e9, FLOPs: 7.3e16, Loss: 2.875},
	}
	if !reflect.DeepEqual(pts, want) {
		t.Errorf("got %+v\nwant %+v", pts, want)
	}
	if c := pts[0].Compute(); c != 6*1.5e6*1e9 {
		t.Errorf("compute without flops = %v, want 6ND", c)
	}
}

func TestReadPointsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, csv, want string
	}{
		{"empty", "", "read in.csv: empty file, want a header line naming the columns params, tokens, loss"},
		{"header only", "params,tokens,loss\n", "read in.csv: no data rows after the header"},
		{"missing column", "params,loss\n1,2\n", `lacks the column(s) tokens`},
		{"duplicate column", "params,tokens,loss,Params\n1,2,3,4\n", `column "params" appears twice (columns 1 and 4)`},
		{"not a number", "params,tokens,loss\n1e6,1e9,3\n1e6,abc,3\n", `read in.csv: line 3, column 2 (tokens): "abc", want a positive finite number`},
		{"negative", "tokens,params,loss\n1e9,-5,3\n", `line 2, column 2 (params): "-5", want a positive finite number`},
		{"zero loss", "params,tokens,loss\n1,1,0\n", `(loss): "0"`},
		{"NaN", "params,tokens,loss\n1,1,NaN\n", `(loss): "NaN"`},
		{"Inf", "params,tokens,loss\n1,Inf,1\n", `(tokens): "Inf"`},
		{"empty required", "params,tokens,loss\n1,,1\n", `(tokens): ""`},
		{"bad flops", "params,tokens,loss,flops\n1,1,1,-1\n", `(flops): "-1"`},
		{"ragged", "params,tokens,loss\n1,1,1\n1,1\n", "read in.csv: line 3: wrong number of fields"},
	} {
		_, err := ReadPointsFrom(strings.NewReader(tc.csv), "in.csv")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := ReadPoints(filepath.Join(t.TempDir(), "missing.csv")); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: error %v, want one naming the file", err)
	}
}

func TestWritePointsRoundTrips(t *testing.T) {
	pts := []Point{
		{Run: "a,b", Preset: "tiny \"q\"", Params: 1.2345678901234567e6, Tokens: 3e9, FLOPs: 2.2e16, Loss: 3.0000000000000004},
		{Run: "#hash", Params: 7, Tokens: 11, Loss: math.SmallestNonzeroFloat64},
		{Params: 1e300, Tokens: 1e-300, Loss: 1},
	}
	var buf bytes.Buffer
	if err := WritePoints(&buf, pts); err != nil {
		t.Fatal(err)
	}
	back, err := ReadPointsFrom(&buf, "buffer")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, pts) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, pts)
	}
}

// TestReadPointsChinchillaFile reads the shared Chinchilla table, whose
// tokens column is flops/(6N).
func TestReadPointsChinchillaFile(t *testing.T) {
	pts := chinchillaPoints(t)
	for i, p := range pts {
		if rel := math.Abs(p.Compute()/(6*p.Params*p.Tokens) - 1); rel > 1e-9 {
			t.Fatalf("point %d: flops %.6g, 6ND %.6g", i+1, p.FLOPs, 6*p.Params*p.Tokens)
		}
	}
}

// FuzzReadPointsFrom checks that no input makes the reader panic, and
// that whatever it accepts is valid and survives a write and a re-read.
func FuzzReadPointsFrom(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fit", "*.csv"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("params,tokens,loss\n1,2,3\n"))
	f.Add([]byte("\ufeffPARAMS , tokens,loss\n\"1\",2,3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pts, err := ReadPointsFrom(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		if err := validatePoints(pts); err != nil {
			t.Fatalf("accepted invalid points: %v", err)
		}
		var buf bytes.Buffer
		if err := WritePoints(&buf, pts); err != nil {
			t.Fatal(err)
		}
		back, err := ReadPointsFrom(&buf, "rewritten")
		if err != nil {
			t.Fatalf("re-reading what WritePoints wrote: %v", err)
		}
		if len(back) != len(pts) {
			t.Fatalf("%d points became %d", len(pts), len(back))
		}
		for i := range pts {
			a, b := pts[i], back[i]
			if a.Params != b.Params || a.Tokens != b.Tokens || a.Loss != b.Loss || a.FLOPs != b.FLOPs {
				t.Fatalf("point %d: %+v became %+v", i, a, b)
			}
		}
	})
}
