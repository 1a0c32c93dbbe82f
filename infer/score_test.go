package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestScoreText checks the sliding window against a direct computation:
// token t is predicted from tokens[b:t], where b is the start of the first
// window (starts 0, stride, 2*stride, ...) that reaches it, and the loss is
// -log softmax of the full forward's logits, summed in float64.
func TestScoreText(t *testing.T) {
	m := randomModel(t, testConfigs[0], 4) // 40 positions
	r := rand.New(rand.NewPCG(3, 3))
	cases := []struct {
		n int
		o ScoreOptions
	}{
		{30, ScoreOptions{Window: 8, Stride: 3, Batch: 2}},
		{30, ScoreOptions{Window: 8, Stride: 8, Batch: 1}},
		{25, ScoreOptions{Window: 7, Stride: 1, Batch: 4}},
		{9, ScoreOptions{Window: 8, Stride: 5, Batch: 3}}, // exactly one window
		{12, ScoreOptions{}},                              // shorter than the context
		{2, ScoreOptions{Window: 1, Stride: 1, Batch: 5}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%d/%+v", c.n, c.o), func(t *testing.T) {
			tokens := randomIDs(r, c.n, m.Config.VocabSize)
			got, err := m.ScoreText(tokens, c.o)
			if err != nil {
				t.Fatal(err)
			}
			w, s := c.o.Window, c.o.Stride
			if w == 0 {
				w, s = m.Config.MaxPositionEmbeddings, m.Config.MaxPositionEmbeddings
			}
			var total float64
			for tt := 1; tt < c.n; tt++ {
				b := 0
				for b+w < tt {
					b += s
				}
				logits := fullLogits(t, m, tokens[b:tt])
				total -= logSoftmax(logits[len(logits)-1], tokens[tt])
			}
			want := total / float64(c.n-1)
			if got.Tokens != c.n-1 || math.Abs(got.Loss-want) > 1e-5*want {
				t.Errorf("loss %v over %d tokens, direct computation %v over %d", got.Loss, got.Tokens, want, c.n-1)
			}
		})
	}
}

// logSoftmax returns log softmax(logits)[id] in float64.
func logSoftmax(logits []float32, id int32) float64 {
	mx := math.Inf(-1)
	for _, v := range logits {
		mx = math.Max(mx, float64(v))
	}
	var z float64
	for _, v := range logits {
		z += math.Exp(float64(v) - mx)
	}
	return float64(logits[id]) - mx - math.Log(z)
}

// TestScoreTextBitsPerByte checks bits per byte on a model with a
// tokenizer: the total loss in bits over the bytes of the scored tokens.
func TestScoreTextBitsPerByte(t *testing.T) {
	m := textModel(t)
	text := "the cat sat on the mat. é€"
	tokens := m.Tokenizer.Encode([]byte(text))
	s, err := m.ScoreText(tokens, ScoreOptions{Window: 6, Stride: 4})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := m.Tokenizer.Decode(tokens[:1])
	bytes := len(text) - len(first)
	if want := s.Loss * float64(s.Tokens) / math.Ln2 / float64(bytes); s.Bytes != bytes || math.Abs(s.BitsPerByte-want) > 1e-12 {
		t.Errorf("%d bytes, %v bits per byte; want %d, %v", s.Bytes, s.BitsPerByte, bytes, want)
	}
}

// TestScoreTextErrors checks that bad windows and inputs name what is wrong.
func TestScoreTextErrors(t *testing.T) {
	m := randomModel(t, testConfigs[2], 1) // 24 positions, vocabulary 29
	cases := []struct {
		tokens []int32
		o      ScoreOptions
		want   string
	}{
		{[]int32{1, 2, 3}, ScoreOptions{Window: 25}, "flag -window 25"},
		{[]int32{1, 2, 3}, ScoreOptions{Window: -1}, "flag -window -1"},
		{[]int32{1, 2, 3}, ScoreOptions{Window: 4, Stride: 5}, "flag -stride 5"},
		{[]int32{1, 2, 3}, ScoreOptions{Batch: -2}, "flag -batch -2"},
		{[]int32{1}, ScoreOptions{}, "at least 2"},
		{[]int32{1, 40}, ScoreOptions{}, "id 40 at position 1"},
	}
	for _, c := range cases {
		_, err := m.ScoreText(c.tokens, c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %+v: error %v, want one mentioning %q", c.tokens, c.o, err, c.want)
		}
	}
}
