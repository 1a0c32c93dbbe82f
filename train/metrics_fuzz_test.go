package train

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzReadMetrics checks that no metrics.jsonl makes ReadMetrics or the
// resume-time truncation panic; that the records ReadMetrics accepts
// survive being written and read again; and that truncating to a step
// keeps exactly the lines that parse and are at most that step, in order,
// so that truncating twice changes nothing.
func FuzzReadMetrics(f *testing.F) {
	v := 3.5
	var good bytes.Buffer
	for _, r := range []Record{
		{Step: 0, ValLoss: &v, LR: 1e-4},
		{Step: 1, Tokens: 128, Epoch: 0.01, TrainLoss: 6.25, LR: 1e-4, GradNorm: 1.5, TokensPerS: 1e5, WallS: 0.1},
		{Step: 2, Tokens: 256, TrainLoss: 6, ValLoss: &v, ValBPB: &v, LR: 2e-4, SkippedBatches: 1},
	} {
		b, err := json.Marshal(r)
		if err != nil {
			f.Fatal(err)
		}
		good.Write(append(b, '\n'))
	}
	f.Add(good.Bytes(), 1)
	f.Add(good.Bytes()[:good.Len()-7], 5)            // a last line cut short
	f.Add([]byte("{\"step\":1}\r\n{\"step\":2}"), 1) // CRLF, no final newline
	f.Add([]byte("{\"lr\":1}\n{\"step\":1}\n"), 3)   // a line without a step
	f.Add([]byte("{\"step\":1.5}\n\n{\"step\":null}\n"), 0)
	f.Fuzz(func(t *testing.T, raw []byte, keep int) {
		recs, err := ReadMetrics(bytes.NewReader(raw))
		if err == nil {
			var buf bytes.Buffer
			for _, r := range recs {
				b, err := json.Marshal(r)
				if err != nil {
					t.Fatalf("marshal an accepted record: %v", err)
				}
				buf.Write(append(b, '\n'))
			}
			back, err := ReadMetrics(&buf)
			if err != nil || !reflect.DeepEqual(back, recs) && len(recs) > 0 {
				t.Fatalf("records changed in a round trip (%v)", err)
			}
		}

		kept := keepMetrics(raw, keep)
		var want [][]byte
		for line := range bytes.Lines(raw) {
			if r, err := parseRecord(line); err == nil && r.Step <= keep {
				want = append(want, bytes.TrimRight(line, "\r\n"))
			}
		}
		var got [][]byte
		for line := range bytes.Lines(kept) {
			if !bytes.HasSuffix(line, []byte("\n")) {
				t.Fatalf("kept line %q has no newline", line)
			}
			got = append(got, bytes.TrimSuffix(line, []byte("\n")))
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("kept %q, want %q", got, want)
		}
		if again := keepMetrics(kept, keep); !bytes.Equal(again, kept) {
			t.Fatalf("truncating twice changed the file: %q, then %q", kept, again)
		}
	})
}
