package infer

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/model"
)

var update = flag.Bool("update", false, "rewrite testdata/tiny-text")

// tinyTextDir is a small random model with a byte-level BPE tokenizer that
// the commands' tests run on.
const tinyTextDir = "testdata/tiny-text"

// tinyText builds the model of testdata/tiny-text.
func tinyText(t *testing.T) (model.Config, [][]float32, *data.Tokenizer) {
	t.Helper()
	tok, err := data.TrainBPE([][]byte{[]byte("the cat sat on the mat. the dog sat on the log. a café, naïve, 日本語 😀")}, 280)
	if err != nil {
		t.Fatal(err)
	}
	c := model.Config{VocabSize: 280, HiddenSize: 24, IntermediateSize: 40, NumHiddenLayers: 2, NumAttentionHeads: 4,
		NumKeyValueHeads: 2, RMSNormEps: 1e-5, RopeTheta: 10000, MaxPositionEmbeddings: 32}
	return c, c.Init(5), tok
}

// TestTinyTextFixture checks that testdata/tiny-text is the model tinyText
// builds (go test ./infer -run TinyTextFixture -update rewrites it).
func TestTinyTextFixture(t *testing.T) {
	c, values, tok := tinyText(t)
	if *update {
		var fw model.FolderWriter
		err := fw.Save(tinyTextDir, c, values, func(tmp string) error {
			return tok.WriteHFFiles(tmp, c.MaxPositionEmbeddings, fw.WriteFile)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	gotC, gotV, gotTok, err := ReadModel(tinyTextDir)
	if err != nil {
		t.Fatal(err)
	}
	if gotC != c || gotTok == nil || gotTok.VocabSize() != tok.VocabSize() {
		t.Fatalf("%s holds config %+v and %v; want %+v and a tokenizer of %d tokens", tinyTextDir, gotC, gotTok, c, tok.VocabSize())
	}
	for i := range values {
		if !slices.Equal(gotV[i], values[i]) {
			t.Fatalf("%s: tensor %d differs; rerun with -update", tinyTextDir, i)
		}
	}
	text := []byte("the cat sat on a café")
	if a, b := gotTok.Encode(text), tok.Encode(text); !slices.Equal(a, b) {
		t.Fatalf("tokenizers differ: %v vs %v", a, b)
	}
	if _, err := os.Stat(filepath.Join(tinyTextDir, model.TokenizerFile)); err != nil {
		t.Fatal(err)
	}
}
