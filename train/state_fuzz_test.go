package train

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzReadState checks that no trainer_state.json makes ReadState panic,
// that a state it accepts has its numbers in range, and that it survives
// being written as a checkpoint writes it and read again.
func FuzzReadState(f *testing.F) {
	for _, st := range []State{
		{Step: 120, Tokens: 61440, WallS: 12.5, Batch: 4, Seq: 32, Accum: 4, Seed: 1, Unique: 20000, Steps: 600, LastVal: 5.25, LastLoss: 5.5},
		{Step: 3, Batch: 1, Seq: 1, Accum: 1, Skipped: 2, LRScale: 0.25},
	} {
		raw, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	for _, s := range []string{
		`{"step": -1, "batch": 1, "seq": 1, "accum": 1}`,
		`{"step": 1, "batch": 1, "seq": 1, "accum": 1, "lr_scale": 2}`,
		`{"step": 1, "batch": 1, "seq": 1, "accum": 1, "extra": true}`,
		`{"step": 1, "batch": 1, "seq": 1, "accum": 1} {}`,
		`{"seed": 18446744073709551615, "batch": 1, "seq": 1, "accum": 1}`,
		`{"step": 1e400}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		st, err := ReadState(bytes.NewReader(raw))
		if err != nil {
			return
		}
		if st.Step < 0 || st.Batch <= 0 || st.Seq <= 0 || st.Accum <= 0 || st.Skipped < 0 || st.lrScale() <= 0 || st.lrScale() > 1 {
			t.Fatalf("ReadState accepted %+v", st)
		}
		out, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			t.Fatalf("marshal an accepted state: %v", err)
		}
		back, err := ReadState(bytes.NewReader(out))
		if err != nil || back != st {
			t.Fatalf("state changed in a round trip: %+v, then %+v (%v)", st, back, err)
		}
	})
}
