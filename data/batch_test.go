package data

import (
	"slices"
	"strings"
	"testing"
)

// iota32 returns the stream 0, 1, ..., n-1, in which a token's value is its
// position.
func iota32(n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = int32(i)
	}
	return s
}

func TestTokenize(t *testing.T) {
	tok := handTokenizer(t)
	docs := [][]byte{[]byte("ab"), nil, []byte("x abc")}
	want := []int32{256, 259, 259, 'x', ' ', 257}
	for _, workers := range []int{0, 1, 2} {
		if got := Tokenize(tok, docs, workers); !slices.Equal(got, want) {
			t.Errorf("workers %d: Tokenize = %v, want %v", workers, got, want)
		}
	}
	if got := Tokenize(tok, nil, 0); len(got) != 0 {
		t.Errorf("Tokenize(nil) = %v, want empty", got)
	}
}

func TestBatcher(t *testing.T) {
	const batch, seq, n = 4, 16, 1000 // 62 windows: epochs end mid-batch
	b, err := NewBatcher(iota32(n), batch, seq, 42)
	if err != nil {
		t.Fatal(err)
	}
	if b.BatchSize() != batch || b.SeqLen() != seq || b.Windows() != (n-1)/seq {
		t.Errorf("BatchSize, SeqLen, Windows = %d, %d, %d", b.BatchSize(), b.SeqLen(), b.Windows())
	}
	get := func(b *Batcher, i int) (ids, targets []int32) {
		ids, targets = make([]int32, batch*seq), make([]int32, batch*seq)
		if err := b.Batch(i, ids, targets); err != nil {
			t.Fatal(err)
		}
		return ids, targets
	}
	// Collect the window of every global row over three epochs.
	w := b.Windows()
	var rows []int32
	for i := 0; len(rows) < 3*w; i++ {
		ids, targets := get(b, i)
		for r := range batch {
			row, trow := ids[r*seq:(r+1)*seq], targets[r*seq:(r+1)*seq]
			s := row[0]
			if s%seq != 0 || int(s)+seq+1 > n {
				t.Fatalf("batch %d row %d starts at %d: not a window start inside the stream", i, r, s)
			}
			for k := range seq {
				if row[k] != s+int32(k) || trow[k] != s+int32(k)+1 {
					t.Fatalf("batch %d row %d is not a window with shifted targets", i, r)
				}
			}
			rows = append(rows, s/seq)
		}
	}
	// Each epoch visits every window exactly once, in a new order.
	var orders [][]int32
	for e := range 3 {
		epoch := slices.Clone(rows[e*w : (e+1)*w])
		orders = append(orders, slices.Clone(epoch))
		slices.Sort(epoch)
		for k, v := range epoch {
			if v != int32(k) {
				t.Fatalf("epoch %d does not visit each of the %d windows once: sorted %v", e, w, epoch)
			}
		}
	}
	if slices.Equal(orders[0], orders[1]) || slices.Equal(orders[1], orders[2]) {
		t.Error("consecutive epochs visit the windows in the same order")
	}
	if got := b.Epochs(31); got != 2 {
		t.Errorf("Epochs(31) = %v, want 2 (124 rows over 62 windows)", got)
	}
	// Batch i depends on (seed, i) only: a fresh Batcher, queried after
	// other batches, gives the same batch 5.
	first, _ := get(b, 5)
	b2, _ := NewBatcher(iota32(n), batch, seq, 42)
	get(b2, 9)
	if again, _ := get(b2, 5); !slices.Equal(again, first) {
		t.Error("batch 5 differs between Batchers with the same seed")
	}
	other, _ := get(b, 6)
	b3, _ := NewBatcher(iota32(n), batch, seq, 43)
	reseeded, _ := get(b3, 5)
	if slices.Equal(other, first) || slices.Equal(reseeded, first) {
		t.Error("different step or seed gave the same batch")
	}
}

func TestPermutation(t *testing.T) {
	for _, n := range []uint64{1, 2, 3, 5, 16, 17, 1000, 4097} {
		seen := make([]bool, n)
		p := newPermutation(n, 7)
		fixed := 0
		for i := range n {
			v := p.at(i)
			if v >= n || seen[v] {
				t.Fatalf("n=%d: at(%d) = %d is out of range or repeated", n, i, v)
			}
			seen[v] = true
			if v == i {
				fixed++
			}
		}
		if n >= 1000 && fixed > int(n)/50 {
			t.Errorf("n=%d: %d fixed points; want a shuffled order", n, fixed)
		}
	}
	a, b := newPermutation(1000, 1), newPermutation(1000, 2)
	same := 0
	for i := range uint64(1000) {
		if a.at(i) == b.at(i) {
			same++
		}
	}
	if same > 20 {
		t.Errorf("keys 1 and 2 agree on %d of 1000 positions", same)
	}
}

func TestBatcherShortestStream(t *testing.T) {
	b, err := NewBatcher([]int32{7, 8, 9}, 2, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids, targets := make([]int32, 4), make([]int32, 4)
	if err := b.Batch(3, ids, targets); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []int32{7, 8, 7, 8}) || !slices.Equal(targets, []int32{8, 9, 8, 9}) {
		t.Errorf("ids %v targets %v; want the only window twice", ids, targets)
	}
}

func TestBatcherNoAllocs(t *testing.T) {
	b, _ := NewBatcher(iota32(10000), 8, 64, 1)
	ids, targets := make([]int32, 8*64), make([]int32, 8*64)
	i := 0
	allocs := testing.AllocsPerRun(100, func() {
		b.Batch(i, ids, targets)
		i++
	})
	if allocs != 0 {
		t.Errorf("Batch allocates %v times per call", allocs)
	}
}

func TestBatcherErrors(t *testing.T) {
	tests := []struct {
		name       string
		tokens     int
		batch, seq int
		wantErr    string
	}{
		{"short stream", 16, 2, 16, "stream of 16 tokens is shorter than one window of 17"},
		{"empty stream", 0, 1, 1, "stream of 0 tokens"},
		{"zero batch", 100, 0, 8, "batch 0 and sequence length 8 must be positive"},
		{"negative seq", 100, 2, -1, "must be positive"},
		{"overflow", 5000, 1 << 20, 1 << 12, "overflows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewBatcher(iota32(tt.tokens), tt.batch, tt.seq, 0)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
	b, _ := NewBatcher(iota32(100), 2, 8, 0)
	callTests := []struct {
		name     string
		i        int
		ids, tgt int
		wantErr  string
	}{
		{"negative index", -1, 16, 16, "must not be negative"},
		{"short ids", 0, 15, 16, "got 15 ids and 16 targets, want 16 each"},
		{"long targets", 0, 16, 17, "want 16 each"},
	}
	for _, tt := range callTests {
		t.Run(tt.name, func(t *testing.T) {
			err := b.Batch(tt.i, make([]int32, tt.ids), make([]int32, tt.tgt))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestValBatches(t *testing.T) {
	tests := []struct {
		name                    string
		tokens, batch, seq, max int
		wantBatches             int
		wantErr                 string
	}{
		{"exact fit", 2*3*4 + 1, 3, 4, 0, 2, ""},
		{"drops partial batch", 2*3*4 + 10, 3, 4, 0, 2, ""},
		{"capped", 100*3*4 + 1, 3, 4, 5, 5, ""},
		{"capped, uneven spacing", 7*3*4 + 3, 3, 4, 2, 2, ""},
		{"too short", 3 * 4, 3, 4, 0, 0, "stream of 12 tokens does not fill one batch of 3 windows of 5"},
		{"empty", 0, 1, 1, 0, 0, "stream of 0 tokens"},
		{"bad shape", 100, 0, 4, 0, 0, "must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stream := iota32(tt.tokens)
			got, err := ValBatches(stream, tt.batch, tt.seq, tt.max)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.wantBatches {
				t.Fatalf("%d batches, want %d", len(got), tt.wantBatches)
			}
			// Row r of all the batches is window r*W/R of the W in the
			// stream (R rows in all): evenly spread, inputs never overlap,
			// and every window in order when all are used.
			windows := (tt.tokens - 1) / tt.seq
			rows := tt.wantBatches * tt.batch
			for j, vb := range got {
				for k := range vb.IDs {
					r := j*tt.batch + k/tt.seq
					pos := int32(r*windows/rows*tt.seq + k%tt.seq)
					if vb.IDs[k] != pos || vb.Targets[k] != pos+1 {
						t.Fatalf("batch %d element %d: id %d target %d, want %d %d", j, k, vb.IDs[k], vb.Targets[k], pos, pos+1)
					}
				}
			}
			stream[0] = -1
			if got[0].IDs[0] == -1 {
				t.Error("validation batches alias the stream")
			}
		})
	}
}
