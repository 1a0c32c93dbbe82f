package ngram

import (
	"bytes"
	"slices"
	"testing"
)

// FuzzReadPoints checks that no CSV makes ReadPointsFrom panic and that
// the points it accepts survive WritePoints and ReadPointsFrom unchanged.
func FuzzReadPoints(f *testing.F) {
	var buf bytes.Buffer
	if err := WritePoints(&buf, []Point{{Order: 5, Tokens: 1e6, Loss: 2.5, BPB: 1.1, Grams: 1234}, {Order: 1, Tokens: 2e6, Loss: 5.8}}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("arch,order,tokens,loss,bpb,grams\nngram,6,1,1,0,0\n"))
	f.Add([]byte("arch,order,tokens,loss,bpb,grams\nngram,2,1\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, raw []byte) {
		pts, err := ReadPointsFrom(bytes.NewReader(raw), "fuzz.csv")
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WritePoints(&out, pts); err != nil {
			t.Fatal(err)
		}
		back, err := ReadPointsFrom(&out, "again.csv")
		if err != nil {
			t.Fatalf("reading back what was written: %v\n%s", err, out.Bytes())
		}
		if !slices.Equal(back, pts) {
			t.Fatalf("round trip changed the points: %+v, then %+v", pts, back)
		}
	})
}
