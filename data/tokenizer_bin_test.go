package data

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var updateSP = flag.Bool("update-sp", false, "rewrite testdata/sp-tokenizer.bin")

// Files of the sentencepiece-style tests. sp-tokenizer.bin is the
// vocabulary testSentencePiece builds, written by WriteTokenizerBin;
// sp-runc.json holds spStrings encoded by llama2.c's run.c with that file
// (encode(tokenizer, text, bos=1, eos=0, ...)), recorded outside this
// repository with run.c built by gcc -Ofast.
const (
	spBinFile  = "testdata/sp-tokenizer.bin"
	spRunCFile = "testdata/sp-runc.json"
)

// spStrings are the texts the sentencepiece tests encode: words of the
// training text, characters that have a piece and ones that fall back to
// bytes, runs of spaces (whose merges tie in score), newlines, an empty
// string and text that spells the special tokens.
var spStrings = []string{
	"",
	"a",
	" ",
	"Call me Ishmael.",
	"Some years ago - never mind how long precisely - having little or no money in my purse,",
	"the whale, the whale!",
	"  two spaces",
	"a     five spaces then\ttab",
	"                                   many spaces",
	"line one\nline two\n\nend",
	"café naïve façade",
	"日本語 and 中文 text",
	"emoji 🙂 and ☃ snowman",
	"<s> and </s> and <unk> as text",
	"Ishmael\x01control",
	"trailing space ",
	"UPPER lower MiXeD 12345 67.89",
}

// trainSentencePiece learns a small sentencepiece-style BPE vocabulary on
// text the way sentencepiece's BPE does, in miniature: the characters of
// every line, with a space before each line and "▁" kept as a space, are
// merged pair by pair, most frequent first (ties by the pair's text), up to
// merges merges; each merged piece gets score -(its merge number). Pieces
// are the specials, the 256 byte fallbacks (score 0), the characters seen
// at least twice (scores below every merge, by frequency), then the merged
// pieces; plus runs of 2 to 6 spaces at score -1e9, as Llama's vocabulary
// has.
func trainSentencePiece(text string, merges int) ([]string, []float32) {
	pieces := []string{"<unk>", "\n<s>\n", "\n</s>\n"}
	scores := []float32{0, 0, 0}
	for b := range 256 {
		pieces = append(pieces, fmt.Sprintf("<0x%02X>", b))
		scores = append(scores, 0)
	}
	var words [][]string
	count := map[string]int{}
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		var w []string
		for _, r := range " " + line {
			w = append(w, string(r))
			count[string(r)]++
		}
		words = append(words, w)
	}
	chars := make([]string, 0, len(count))
	for c, n := range count {
		if n >= 2 {
			chars = append(chars, c)
		}
	}
	slices.SortFunc(chars, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return strings.Compare(a, b)
	})
	known := map[string]bool{}
	for _, c := range chars {
		known[c] = true
	}
	var merged []string
	for m := range merges {
		pairs := map[[2]string]int{}
		for _, w := range words {
			for i := 0; i+1 < len(w); i++ {
				if known[w[i]] && known[w[i+1]] {
					pairs[[2]string{w[i], w[i+1]}]++
				}
			}
		}
		var best [2]string
		bestN := 0
		for p, n := range pairs {
			if n > bestN || n == bestN && p[0]+"\x00"+p[1] < best[0]+"\x00"+best[1] {
				best, bestN = p, n
			}
		}
		if bestN < 2 {
			break
		}
		piece := best[0] + best[1]
		if !known[piece] {
			merged = append(merged, piece)
			pieces = append(pieces, piece)
			scores = append(scores, -float32(m))
			known[piece] = true
		}
		for wi, w := range words {
			var out []string
			for i := 0; i < len(w); i++ {
				if i+1 < len(w) && w[i] == best[0] && w[i+1] == best[1] {
					out = append(out, piece)
					i++
				} else {
					out = append(out, w[i])
				}
			}
			words[wi] = out
		}
	}
	for i, c := range chars {
		pieces = append(pieces, c)
		scores = append(scores, -float32(merges+i))
	}
	for n := 2; n <= 6; n++ {
		if s := strings.Repeat(" ", n); !known[s] {
			pieces = append(pieces, s)
			scores = append(scores, -1e9)
		}
	}
	return pieces, scores
}

// testSentencePiece is the vocabulary of sp-tokenizer.bin: 300 merges
// trained on the first 40 KB of Moby-Dick.
func testSentencePiece(t testing.TB) ([]string, []float32) {
	t.Helper()
	docs, err := smallDocs()
	if err != nil {
		t.Fatal(err)
	}
	text := string(docs[0])
	if len(text) > 40000 {
		text = text[:40000]
	}
	text += "\ncafé naïve\ncafé naïve\n"
	return trainSentencePiece(text, 300)
}

// writeBin lays pieces and scores out as a tokenizer.bin, independently of
// WriteTokenizerBin.
func writeBin(pieces []string, scores []float32) []byte {
	var b bytes.Buffer
	maxLen := 0
	for _, p := range pieces {
		maxLen = max(maxLen, len(p))
	}
	binary.Write(&b, binary.LittleEndian, int32(maxLen))
	for i, p := range pieces {
		binary.Write(&b, binary.LittleEndian, scores[i])
		binary.Write(&b, binary.LittleEndian, int32(len(p)))
		b.WriteString(p)
	}
	return b.Bytes()
}

// TestTokenizerBinFixture checks that sp-tokenizer.bin is what
// testSentencePiece builds and WriteTokenizerBin writes (go test ./data
// -run TokenizerBinFixture -update-sp rewrites it).
func TestTokenizerBinFixture(t *testing.T) {
	pieces, scores := testSentencePiece(t)
	raw := writeBin(pieces, scores)
	tok, err := ReadTokenizerBin(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var written bytes.Buffer
	if err := tok.WriteTokenizerBin(&written); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(written.Bytes(), raw) {
		t.Fatal("WriteTokenizerBin does not reproduce the file ReadTokenizerBin read")
	}
	if *updateSP {
		if err := tok.SaveTokenizerBin(spBinFile); err != nil {
			t.Fatal(err)
		}
	}
	fixture, err := os.ReadFile(spBinFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fixture, raw) {
		t.Fatalf("%s differs from the vocabulary the test builds; rerun with -update-sp", spBinFile)
	}
}

// TestTokenizerBinMatchesRunC checks that a tokenizer.bin encodes the test
// strings as run.c does, and that its tokenizer.json (read back) and its
// tokenizer.bin (written and read back) encode them alike.
func TestTokenizerBinMatchesRunC(t *testing.T) {
	tok, err := LoadTokenizerBin(spBinFile)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(spRunCFile)
	if err != nil {
		t.Fatal(err)
	}
	var want []struct {
		Text string  `json:"text"`
		IDs  []int32 `json:"ids"`
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(spStrings) {
		t.Fatalf("%s has %d strings, the test %d", spRunCFile, len(want), len(spStrings))
	}
	var js bytes.Buffer
	if err := tok.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	fromJSON, err := ReadTokenizerJSON(&js)
	if err != nil {
		t.Fatal(err)
	}
	var bin bytes.Buffer
	if err := fromJSON.WriteTokenizerBin(&bin); err != nil {
		t.Fatal(err)
	}
	fromBin, err := ReadTokenizerBin(&bin)
	if err != nil {
		t.Fatal(err)
	}
	bos, _ := tok.BOS()
	for i, w := range want {
		if w.Text != spStrings[i] {
			t.Fatalf("%s string %d is %q, the test's %q", spRunCFile, i, w.Text, spStrings[i])
		}
		for name, tk := range map[string]*Tokenizer{"tokenizer.bin": tok, "its tokenizer.json": fromJSON, "tokenizer.bin of its tokenizer.json": fromBin} {
			got := append([]int32{bos}, tk.Encode([]byte(w.Text))...)
			if !slices.Equal(got, w.IDs) {
				t.Errorf("%s: %q encodes as %v, run.c %v", name, w.Text, got, w.IDs)
			}
		}
		if !utf8.ValidString(w.Text) || strings.Contains(w.Text, "<") {
			continue
		}
		back, err := tok.Decode(w.IDs[1:])
		if err != nil || string(back) != w.Text {
			t.Errorf("decode of %q: %q, %v", w.Text, back, err)
		}
	}
}

// TestSentencePieceDecode checks the run.c decoding rules: byte fallback
// pieces become their bytes, the space after the begin token and the dummy
// prefix are dropped, and the special tokens decode to their names.
func TestSentencePieceDecode(t *testing.T) {
	tok, err := LoadTokenizerBin(spBinFile)
	if err != nil {
		t.Fatal(err)
	}
	ids := tok.Encode([]byte("Call me"))
	first, err := tok.Piece(1, ids[0])
	if err != nil || strings.HasPrefix(string(first), " ") {
		t.Errorf("first piece after <s>: %q, %v; want no leading space", first, err)
	}
	if mid, _ := tok.Piece(ids[0], ids[len(ids)-1]); !strings.HasPrefix(string(mid), " ") {
		t.Errorf("a piece after a word: %q, want its leading space", mid)
	}
	if b, _ := tok.Piece(-1, 3+'\n'); string(b) != "\n" {
		t.Errorf("<0x0A> decodes to %q", b)
	}
	got, err := tok.Decode([]int32{0, 1, 2})
	if err != nil || string(got) != "<unk><s></s>" {
		t.Errorf("special ids decode to %q, %v", got, err)
	}
	if _, err := tok.Decode([]int32{int32(tok.VocabSize())}); err == nil {
		t.Error("an id past the vocabulary decoded")
	}
	if !slices.Equal(tok.StopIDs(), []int32{2, 1}) || tok.EOT() != 2 {
		t.Errorf("stop ids %v, EOT %d", tok.StopIDs(), tok.EOT())
	}
}

// TestReadTokenizerBinErrors checks that damaged files are errors saying
// what is wrong.
func TestReadTokenizerBinErrors(t *testing.T) {
	pieces, scores := testSentencePiece(t)
	good := writeBin(pieces, scores)
	set := func(off int, v uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	dup := slices.Clone(pieces)
	dup[300] = dup[301]
	cases := []struct {
		name string
		raw  []byte
		want string
	}{
		{"empty", nil, "max_token_length"},
		{"zero max", set(0, 0), "max_token_length 0"},
		{"cut in a piece", good[:len(good)-2], "truncated"},
		{"cut in a header", good[:4+8+5+3], "truncated"},
		{"negative length", set(8, 0xffffffff), "length -1"},
		{"long piece", set(8, 1000), "length 1000"},
		{"nan score", set(4, 0x7fc00000), "score NaN"},
		{"two pieces", writeBin(pieces[:2], scores[:2]), "at least the 3"},
		{"duplicate", writeBin(dup, scores), "are both"},
	}
	for _, c := range cases {
		_, err := ReadTokenizerBin(bytes.NewReader(c.raw))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error mentioning %q", c.name, err, c.want)
		}
	}
	if _, err := LoadTokenizerBin("testdata/missing.bin"); err == nil {
		t.Error("a missing file loaded")
	}
	bl, err := TrainBPE([][]byte{[]byte("abc abc")}, 260)
	if err != nil {
		t.Fatal(err)
	}
	if err := bl.WriteTokenizerBin(&bytes.Buffer{}); err == nil {
		t.Error("a byte-level tokenizer wrote a tokenizer.bin")
	}
	_ = math.Inf
}

// FuzzReadTokenizerBin checks that no input makes ReadTokenizerBin panic,
// and that whatever it accepts writes back, as tokenizer.bin and as
// tokenizer.json, to tokenizers that encode text alike (the tokenizer.json
// only where no two merged pieces tie in score: a tie is settled by
// position in run.c and by the file's order in Hugging Face's BPE).
func FuzzReadTokenizerBin(f *testing.F) {
	small := []string{"<unk>", "\n<s>\n", "\n</s>\n", "<0x61>", " ", "a", "b", " a", "ab", " ab"}
	f.Add(writeBin(small, []float32{0, 0, 0, 0, -9, -8, -7, -1, -2, -3}))
	f.Add(writeBin(small[:4], []float32{0, 0, 0, 0}))
	f.Add([]byte{1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		tok, err := ReadTokenizerBin(bytes.NewReader(raw))
		if err != nil {
			return
		}
		var bin, js bytes.Buffer
		if err := tok.WriteTokenizerBin(&bin); err != nil {
			t.Fatal(err)
		}
		again, err := ReadTokenizerBin(&bin)
		if err != nil {
			t.Fatalf("tokenizer.bin written back does not read: %v", err)
		}
		fromJSON := again
		if err := tok.WriteJSON(&js); err == nil && !scoresTie(tok) {
			if fromJSON, err = ReadTokenizerJSON(&js); err != nil {
				t.Fatalf("tokenizer.json written does not read: %v", err)
			}
		}
		for _, s := range []string{"", "a", " ab ab", "abba b a", string(raw[:min(len(raw), 24)])} {
			want := tok.Encode([]byte(s))
			if got := again.Encode([]byte(s)); !slices.Equal(got, want) {
				t.Fatalf("%q: %v after a tokenizer.bin round trip, %v before", s, got, want)
			}
			if got := fromJSON.Encode([]byte(s)); !slices.Equal(got, want) {
				t.Fatalf("%q: %v after a tokenizer.json round trip, %v before", s, got, want)
			}
		}
	})
}

// scoresTie reports whether two pieces that merges make have one score.
func scoresTie(t *Tokenizer) bool {
	seen := map[float32]int32{}
	for _, m := range t.merges {
		s := t.sp.scores[m.result]
		if id, ok := seen[s]; ok && id != m.result {
			return true
		}
		seen[s] = m.result
	}
	return false
}
