package ngram

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestHandComputed checks a trigram model of the window "a b a b c" (a=0,
// b=1, c=2) against probabilities worked out by hand:
//
//	trigrams (S,a,b) (a,b,a) (b,a,b) (a,b,c), each once: D3 = 0.5 (no
//	  count is 2, so Ney's estimate falls back to one half)
//	bigram continuation counts (a,b)=2 (b,a)=1 (b,c)=1: n1=2, n2=1,
//	  D2 = 2/(2+2) = 0.5
//	unigram continuation counts a=b=c=1: D1 = 0.5, P1 = 1/3 each
//	P2(b|a) = (2-.5)/2 + .5*1/2*(1/3) = 5/6, P2(a|b) = P2(c|b) = 5/12
//	P3(b|S,a) = (1-.5)/1 + .5*1/1*P2(b|a) = 11/12
//	P3(a|a,b) = (1-.5)/2 + .5*2/2*P2(a|b) = 11/24, and P3(c|a,b) the same
//	P3(b|b,a) = 11/12
func TestHandComputed(t *testing.T) {
	window := []int32{0, 1, 0, 1, 2}
	m, err := Fit([][]int32{window}, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		ctx  []int32
		w    int32
		want float64
	}{
		{[]int32{0}, 1, 11.0 / 12},
		{[]int32{0, 1}, 0, 11.0 / 24},
		{[]int32{0, 1}, 2, 11.0 / 24},
		{[]int32{0, 1}, 1, 0.5 * (1.0 / 6)},
		{[]int32{1, 0}, 1, 11.0 / 12},
		{[]int32{2, 2}, 0, 1.0 / 3}, // unseen contexts: the unigram
	}
	for _, c := range cases {
		if got := m.Prob(c.ctx, c.w); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("P(%d | %v) = %.15g, want %.15g", c.w, c.ctx, got, c.want)
		}
	}
	loss, n := m.Loss([][]int32{window})
	want := -(math.Log(11.0/12)*2 + math.Log(11.0/24)*2) / 4
	if n != 4 || math.Abs(loss-want) > 1e-12 {
		t.Errorf("loss %.15g over %d tokens, want %.15g over 4", loss, n, want)
	}
	if m.Tokens != 4 {
		t.Errorf("%d training tokens, want 4", m.Tokens)
	}
}

// TestSumsToOne: for random contexts of every length (seen, unseen, short
// enough to start a window) the probabilities over the vocabulary add up
// to 1, for every order.
func TestSumsToOne(t *testing.T) {
	const vocab = 37
	r := rand.New(rand.NewPCG(1, 2))
	windows := zipfWindows(r, 60, 20, vocab)
	for order := 1; order <= MaxOrder; order++ {
		m, err := Fit(windows, order, vocab)
		if err != nil {
			t.Fatal(err)
		}
		for trial := range 50 {
			ctx := make([]int32, r.IntN(order+1))
			for i := range ctx {
				ctx[i] = int32(r.IntN(vocab))
			}
			if trial%2 == 0 && len(ctx) > 0 { // a context that occurs in training
				w := windows[r.IntN(len(windows))]
				ctx = w[:min(len(ctx), len(w))]
			}
			var sum float64
			for w := range vocab {
				p := m.Prob(ctx, int32(w))
				if !(p > 0) {
					t.Fatalf("order %d: P(%d | %v) = %v", order, w, ctx, p)
				}
				sum += p
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Fatalf("order %d: probabilities after %v sum to %.15g", order, ctx, sum)
			}
		}
	}
}

// TestAgainstMaps compares the sorted-array model with a plain
// map-counting implementation of the same equations on random windows.
func TestAgainstMaps(t *testing.T) {
	const vocab = 23
	r := rand.New(rand.NewPCG(3, 4))
	windows := zipfWindows(r, 40, 30, vocab)
	for order := 1; order <= MaxOrder; order++ {
		m, err := Fit(windows, order, vocab)
		if err != nil {
			t.Fatal(err)
		}
		ref := newMapModel(windows, order, vocab)
		for _, w := range windows[:10] {
			for i := 1; i < len(w); i++ {
				ctx := w[max(0, i-order+1):i]
				if got, want := m.Prob(ctx, w[i]), ref.prob(ctx, w[i]); math.Abs(got-want) > 1e-12 {
					t.Fatalf("order %d: P(%d | %v) = %.15g, maps give %.15g", order, w[i], ctx, got, want)
				}
			}
		}
	}
}

// TestMoreDataHelps: on text from a fixed bigram source, more training
// windows lower the held-out loss, and a bigram model beats the unigram.
func TestMoreDataHelps(t *testing.T) {
	const vocab = 50
	r := rand.New(rand.NewPCG(5, 6))
	train, val := zipfWindows(r, 2000, 33, vocab), zipfWindows(r, 100, 33, vocab)
	var prev float64
	for _, n := range []int{20, 200, 2000} {
		m, err := Fit(train[:n], 2, vocab)
		if err != nil {
			t.Fatal(err)
		}
		loss, _ := m.Loss(val)
		if n > 20 && !(loss < prev) {
			t.Errorf("%d windows: loss %.4f, not below %.4f", n, loss, prev)
		}
		prev = loss
	}
	uni, _ := Fit(train, 1, vocab)
	lu, _ := uni.Loss(val)
	if !(prev < lu) {
		t.Errorf("bigram %.4f, unigram %.4f", prev, lu)
	}
}

func TestFitErrors(t *testing.T) {
	for _, c := range []struct {
		windows      [][]int32
		order, vocab int
		want         string
	}{
		{nil, 0, 5, "order 0"},
		{nil, 6, 5, "order 6"},
		{nil, 2, 0, "vocabulary 0"},
		{[][]int32{{1, 2}, {3, 7}}, 2, 5, "window 1: id 7 at position 1"},
	} {
		if _, err := Fit(c.windows, c.order, c.vocab); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c, err, c.want)
		}
	}
}

// zipfWindows draws n windows of length l from a bigram source whose
// successors follow a Zipf law: text with the long tail n-gram models meet.
func zipfWindows(r *rand.Rand, n, l, vocab int) [][]int32 {
	z := rand.NewZipf(r, 1.3, 1, uint64(vocab-1))
	out := make([][]int32, n)
	for i := range out {
		w := make([]int32, l)
		w[0] = int32(r.IntN(vocab))
		for j := 1; j < l; j++ {
			w[j] = (w[j-1]*7 + int32(z.Uint64())) % int32(vocab)
		}
		out[i] = w
	}
	return out
}

// mapModel is interpolated Kneser-Ney written with maps of string keys, as
// the equations read: the reference for TestAgainstMaps.
type mapModel struct {
	order, vocab int
	kn           []map[string]float64 // kn[k-1][gram]
	total, types []map[string]float64 // by context
	d            []float64
}

func gramKey(ids []int32) string { return fmt.Sprint(ids) }

func newMapModel(windows [][]int32, order, vocab int) *mapModel {
	const startID = -1
	m := &mapModel{order: order, vocab: vocab}
	raw := make([]map[string]float64, order+1)
	left := make([]map[string]map[int32]bool, order+1) // distinct ids before a gram
	for k := range raw {
		raw[k], left[k] = map[string]float64{}, map[string]map[int32]bool{}
	}
	for _, w := range windows {
		p := append([]int32{startID}, w...)
		for end := 2; end < len(p); end++ { // p[end] is the token predicted
			for k := 1; k <= order && end-k+1 >= 0; k++ {
				g := p[end-k+1 : end+1]
				raw[k][gramKey(g)]++
				if k < order && end-k >= 0 {
					s := gramKey(g)
					if left[k][s] == nil {
						left[k][s] = map[int32]bool{}
					}
					left[k][s][p[end-k]] = true
				}
			}
		}
	}
	for k := 1; k <= order; k++ {
		kn := map[string]float64{}
		for g, c := range raw[k] {
			switch {
			case k == order || strings.HasPrefix(g, "[-1"):
				kn[g] = c
			default:
				kn[g] = float64(len(left[k][g]))
			}
		}
		m.kn = append(m.kn, kn)
	}
	for k := 1; k <= order; k++ {
		total, types := map[string]float64{}, map[string]float64{}
		var n1, n2 float64
		for g, c := range m.kn[k-1] {
			ctx := g[:strings.LastIndex(g[:len(g)-1], " ")+1]
			if k == 1 {
				ctx = ""
			}
			total[ctx] += c
			types[ctx]++
			if c == 1 {
				n1++
			} else if c == 2 {
				n2++
			}
		}
		d := 0.5
		if n1 > 0 && n2 > 0 {
			d = n1 / (n1 + 2*n2)
		}
		m.total, m.types, m.d = append(m.total, total), append(m.types, types), append(m.d, d)
	}
	return m
}

func (m *mapModel) prob(context []int32, w int32) float64 {
	h := context[max(0, len(context)-(m.order-1)):]
	if len(h) < m.order-1 {
		h = append([]int32{-1}, h...)
	}
	p := 1 / float64(m.vocab)
	for k := 1; k <= len(h)+1; k++ {
		ctxIDs := h[len(h)-(k-1):]
		ctx := ""
		if k > 1 {
			full := gramKey(ctxIDs)
			ctx = full[:len(full)-1] + " "
		}
		total := m.total[k-1][ctx]
		if total == 0 {
			continue
		}
		g := gramKey(append(append([]int32(nil), ctxIDs...), w))
		p = math.Max(m.kn[k-1][g]-m.d[k-1], 0)/total + m.d[k-1]*m.types[k-1][ctx]/total*p
	}
	return p
}
