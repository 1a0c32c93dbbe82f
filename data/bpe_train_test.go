package data

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestTrainBPEKnown(t *testing.T) {
	// Pre-tokens "ab", " ab", " ab", " abc": a+b occurs 4 times, then " "+ab
	// 3 times, then " ab"+c once.
	tok, err := TrainBPE([][]byte{[]byte("ab ab ab abc")}, 260)
	if err != nil {
		t.Fatal(err)
	}
	want := []mergeRule{{'a', 'b', 256}, {' ', 256, 257}, {257, 'c', 258}}
	if !slices.Equal(tok.merges, want) {
		t.Errorf("merges = %v, want %v", tok.merges, want)
	}
	for id, s := range map[int32]string{256: "ab", 257: " ab", 258: " abc", 259: EndOfText} {
		if string(tok.tokens[id]) != s {
			t.Errorf("token %d = %q, want %q", id, tok.tokens[id], s)
		}
	}
}

func TestTrainBPETieBreak(t *testing.T) {
	// "ba" and "cd" both occur twice; the pair with smaller ids, (b, a),
	// must be merged first.
	tok, err := TrainBPE([][]byte{[]byte("cd"), []byte("ba"), []byte("cd"), []byte("ba")}, 258)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tok.merges[0], (mergeRule{'b', 'a', 256}); got != want {
		t.Errorf("first merge = %v, want %v", got, want)
	}
}

func TestTrainBPELayout(t *testing.T) {
	tok := testTokenizer(t)
	if got := tok.VocabSize(); got != 1000 {
		t.Fatalf("VocabSize() = %d, want 1000", got)
	}
	if got := tok.EOT(); got != 999 {
		t.Errorf("EOT() = %d, want 999", got)
	}
	for b := range 256 {
		if tok.byteID[b] != int32(b) || !bytes.Equal(tok.tokens[b], []byte{byte(b)}) {
			t.Fatalf("id %d is not byte 0x%02x", b, b)
		}
	}
	for rank, m := range tok.merges {
		if int(m.result) > 256+rank {
			t.Fatalf("merge %d creates id %d, beyond creation order", rank, m.result)
		}
	}
}

func TestTrainBPEDeterministic(t *testing.T) {
	docs, err := smallDocs()
	if err != nil {
		t.Fatal(err)
	}
	a, err := TrainBPE(docs, 700)
	if err != nil {
		t.Fatal(err)
	}
	// The result depends on the documents' pre-token counts only, so
	// reversing their order must not change it.
	rev := slices.Clone(docs)
	slices.Reverse(rev)
	b, err := TrainBPE(rev, 700)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.merges, b.merges) || !slices.EqualFunc(a.tokens, b.tokens, bytes.Equal) {
		t.Error("training twice gave different tokenizers")
	}
}

// TestTrainerCounts checks the incrementally updated pair counts against a
// recount from the words after every merge.
func TestTrainerCounts(t *testing.T) {
	docs, err := smallDocs()
	if err != nil {
		t.Fatal(err)
	}
	text := append(bytes.Join(docs[:5], nil), "aaaa aaaaa aaa abab ababab"...)
	bt, err := NewBPETrainer(MinVocabSize)
	if err != nil {
		t.Fatal(err)
	}
	bt.Add(text)
	tr := newTrainer(bt.wordCounts())
	for step := range 300 {
		if !tr.step() {
			t.Fatalf("ran out of pairs at step %d", step)
		}
		want := make(map[uint64]int64)
		for _, w := range tr.words {
			for i := 0; i+1 < len(w.syms); i++ {
				want[pairKey(w.syms[i], w.syms[i+1])] += w.count
			}
		}
		live := 0
		for _, p := range tr.pairs {
			if p.count > 0 {
				live++
			}
		}
		if len(want) != live {
			t.Fatalf("step %d: %d live pairs, recount has %d", step, live, len(want))
		}
		for k, c := range want {
			if got := tr.pairs[tr.index[k]].count; got != c {
				t.Fatalf("step %d: pair (%d, %d) count %d, recount %d", step, k>>32, uint32(k), got, c)
			}
		}
	}
}

func TestTrainBPEErrors(t *testing.T) {
	tests := []struct {
		name    string
		docs    [][]byte
		vocab   int
		wantErr string
	}{
		{"vocab too small", [][]byte{[]byte("hello")}, 256, "vocabulary size 256 outside [257,"},
		{"negative vocab", [][]byte{[]byte("hello")}, -1, "vocabulary size -1"},
		{"too few pairs", [][]byte{[]byte("ab")}, 300, "only enough pairs for 1 merges"},
		{"no documents", nil, 300, "only enough pairs for 0 merges"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := TrainBPE(tt.docs, tt.vocab)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestTrainBPEMinimal(t *testing.T) {
	tok, err := TrainBPE(nil, MinVocabSize)
	if err != nil {
		t.Fatal(err)
	}
	if tok.VocabSize() != 257 || tok.NumMerges() != 0 || tok.EOT() != 256 {
		t.Errorf("got vocab %d, merges %d, EOT %d; want 257, 0, 256", tok.VocabSize(), tok.NumMerges(), tok.EOT())
	}
	in := []byte("plain bytes \xff")
	if got, _ := tok.Decode(tok.Encode(in)); !bytes.Equal(got, in) || len(tok.Encode(in)) != len(in) {
		t.Errorf("byte tokenizer does not map bytes one to one")
	}
}

// TestBPETrainerConcurrent feeds documents to one trainer from many
// goroutines, in pieces at pre-token boundaries, and checks that the result
// equals TrainBPE's; Train may be called again after more documents.
func TestBPETrainerConcurrent(t *testing.T) {
	docs, err := smallDocs()
	if err != nil {
		t.Fatal(err)
	}
	want, err := TrainBPE(docs, 600)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewBPETrainer(600)
	if err != nil {
		t.Fatal(err)
	}
	half := len(docs) / 2
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := g; i < half; i += 8 {
				for _, p := range pretokenize(nil, docs[i]) {
					tr.Add(p)
				}
			}
		})
	}
	wg.Wait()
	first, err := tr.Train()
	if err != nil {
		t.Fatal(err)
	}
	if partial, _ := TrainBPE(docs[:half], 600); !slices.Equal(first.merges, partial.merges) {
		t.Error("training on the first half differs from TrainBPE on it")
	}
	for g := range 8 {
		wg.Go(func() {
			for i := half + g; i < len(docs); i += 8 {
				tr.Add(docs[i])
			}
		})
	}
	wg.Wait()
	got, err := tr.Train()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.merges, want.merges) || !slices.EqualFunc(got.tokens, want.tokens, bytes.Equal) {
		t.Error("concurrent streaming training differs from TrainBPE")
	}
}
