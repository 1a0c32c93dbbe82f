package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestSyntheticEntropyAgrees checks the closed-form entropy rate of every
// kind, and of rules sources of other shapes (flatter and steeper Zipf laws,
// no noise), against the Monte Carlo average of the generator's own -log p.
func TestSyntheticEntropyAgrees(t *testing.T) {
	type source struct {
		name string
		s    *Synthetic
	}
	var sources []source
	for _, kind := range SyntheticKinds() {
		for _, seed := range []uint64{1, 2} {
			s, err := NewSynthetic(kind, seed)
			if err != nil {
				t.Fatal(err)
			}
			sources = append(sources, source{fmt.Sprintf("%s seed %d", kind, seed), s})
		}
	}
	for _, cfg := range []RulesConfig{
		{Rules: 1024, Zipf: 1.5, Symbols: 256, Segment: 64, Noise: 0.3},
		{Rules: 1024, Zipf: 3.5, Symbols: 256, Segment: 64, Noise: 0.3},
		{Rules: 64, Zipf: 1, Symbols: 32, Segment: 16, Noise: 0},
	} {
		s, err := NewRules(cfg, 3)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, source{"rules " + cfg.String(), s})
	}
	for _, src := range sources {
		h, herr := src.s.EntropyRate()
		if !(h > 0) || herr > 1e-9 {
			t.Fatalf("%s: rate %v with error %v", src.name, h, herr)
		}
		est, se, err := src.s.EstimateEntropyRate(32, 1<<15)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: closed form %.6f, sampled %.6f ± %.6f", src.name, h, est, se)
		if math.Abs(est-h) > 4*se {
			t.Errorf("%s: closed form %.6f, sampled %.6f ± %.6f: more than 4 stderr apart", src.name, h, est, se)
		}
	}
}

func TestSyntheticDocs(t *testing.T) {
	for _, kind := range SyntheticKinds() {
		s, err := NewSynthetic(kind, 7)
		if err != nil {
			t.Fatal(err)
		}
		a, b := s.Doc(3, 500), s.Doc(3, 500)
		if !slices.Equal(a, b) {
			t.Errorf("%s: document 3 differs between calls", kind)
		}
		if slices.Equal(a, s.Doc(4, 500)) {
			t.Errorf("%s: documents 3 and 4 are equal", kind)
		}
		if !slices.Equal(s.Doc(3, 100), a[:100]) {
			t.Errorf("%s: a shorter document is not a prefix of the longer", kind)
		}
		for _, id := range a {
			if id < 0 || id >= s.EOT() {
				t.Fatalf("%s: token %d outside [0, %d)", kind, id, s.EOT())
			}
		}
		if len(s.Doc(0, 0)) != 0 || len(s.Doc(0, 1)) != 1 {
			t.Errorf("%s: wrong lengths for tiny documents", kind)
		}
	}
}

// TestSyntheticBigramApproachesH fits add-delta bigram models on growing
// samples of the markov1 preset and checks that their cross-entropy on
// held-out documents falls towards the entropy rate from above: the sampled
// tokens really follow the probabilities the closed form assumes.
func TestSyntheticBigramApproachesH(t *testing.T) {
	s, err := NewSynthetic("markov1", 3)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := s.EntropyRate()
	const docLen, delta = 1 << 16, 0.01
	c := s.proc.(*markovChain).p.content
	counts := make([]float64, c*c)
	var held [][]int32
	for d := range 16 {
		held = append(held, s.Doc(uint64(1000+d), docLen))
	}
	prev, fitted := math.Inf(1), 0
	for _, docs := range []int{2, 16, 64} {
		for ; fitted < docs; fitted++ {
			x := s.Doc(uint64(fitted), docLen)
			for i := 1; i < len(x); i++ {
				counts[int(x[i-1])*c+int(x[i])]++
			}
		}
		rows := make([]float64, c)
		for a := range c {
			for b := range c {
				rows[a] += counts[a*c+b]
			}
		}
		means := make([]float64, len(held))
		for d, x := range held {
			sum := 0.0
			for i := 1; i < len(x); i++ {
				a, b := int(x[i-1]), int(x[i])
				sum -= math.Log((counts[a*c+b] + delta) / (rows[a] + delta*float64(c)))
			}
			means[d] = sum / float64(len(x)-1)
		}
		ce, se := meanStderr(means)
		t.Logf("%8d tokens: held-out cross-entropy %.5f ± %.5f, H %.5f", fitted*docLen, ce, se, h)
		if ce < h-4*se || ce >= prev {
			t.Errorf("%d tokens: cross-entropy %.5f ± %.5f, previous %.5f, H %.5f: want a decrease towards H from above", fitted*docLen, ce, se, prev, h)
		}
		prev = ce
	}
	if prev > h+0.01 {
		t.Errorf("cross-entropy %.5f after %d tokens, more than 0.01 above H %.5f", prev, fitted*docLen, h)
	}
}

// TestAliasExact checks that alias tables reproduce their integer weights
// exactly.
func TestAliasExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range []int{1, 2, 8, 64} {
		for range 50 {
			w := make([]float64, k)
			for j := range w {
				w[j] = math.Exp(3 * rng.NormFloat64())
			}
			q := make([]uint64, k)
			total := uint64(k) << 32
			quantize(q, w, total)
			var sum uint64
			for _, v := range q {
				sum += v
				if v == 0 {
					t.Fatalf("k=%d: zero weight %v", k, q)
				}
			}
			if sum != total {
				t.Fatalf("k=%d: weights sum to %d, want %d", k, sum, total)
			}
			cells := make([]aliasCell, k)
			buildAlias(cells, q)
			got := make([]uint64, k)
			for c, cell := range cells {
				share, other := cell&aliasMask, cell>>aliasShift
				if share > aliasUnit || int(other) >= k {
					t.Fatalf("k=%d: bad cell %d: share %d, alias %d", k, c, share, other)
				}
				got[c] += share
				got[other] += aliasUnit - share
			}
			if !slices.Equal(got, q) {
				t.Fatalf("k=%d: alias table gives weights %v, want %v", k, got, q)
			}
		}
	}
}

// TestSyntheticCopies checks that copied tokens repeat the document at the
// announced offset and cost nothing, and that other tokens have a positive
// cost.
func TestSyntheticCopies(t *testing.T) {
	s, err := NewSynthetic("copy", 5)
	if err != nil {
		t.Fatal(err)
	}
	c := s.proc.(*markovChain)
	x, nll := s.DocNLL(0, 1<<14)
	episodes, early := 0, 0
	for pos := 0; pos < len(x); {
		if x[pos] != c.copyMarker() {
			if !(nll[pos] > 0) || x[pos] >= int32(c.p.content) {
				t.Fatalf("position %d: token %d with cost %v outside a copy", pos, x[pos], nll[pos])
			}
			pos++
			continue
		}
		if pos+3 > len(x) {
			break
		}
		oi, li := int(x[pos+1]-c.offsetToken(0)), int(x[pos+2]-c.lengthToken(0))
		m := c.offsetChoices(pos)
		if oi < 0 || oi >= m || li < 0 || li >= c.p.lengths {
			t.Fatalf("position %d: copy header %v, %d offsets allowed", pos, x[pos:pos+3], m)
		}
		o, l := (oi+1)*c.p.offStep, (li+1)*c.p.lenStep
		if o > pos+3 {
			t.Fatalf("position %d: offset %d reaches before the document", pos, o)
		}
		if nll[pos+1] != math.Log(float64(m)) {
			t.Fatalf("position %d: offset cost %v, want log %d", pos, nll[pos+1], m)
		}
		if pos < s.WarmUp() {
			early++
		}
		pos += 3
		for end := min(len(x), pos+l); pos < end; pos++ {
			if x[pos] != x[pos-o] || nll[pos] != 0 {
				t.Fatalf("position %d: copied token %d (cost %v), source %d", pos, x[pos], nll[pos], x[pos-o])
			}
		}
		episodes++
	}
	if episodes < 100 || early == 0 {
		t.Errorf("%d copy episodes in %d tokens, %d of them in the warm-up", episodes, len(x), early)
	}
}

func TestNewSyntheticErrors(t *testing.T) {
	if _, err := NewSynthetic("zipf", 1); err == nil || !strings.Contains(err.Error(), `unknown kind "zipf"`) {
		t.Errorf("error = %v, want unknown kind", err)
	}
	s, err := NewSynthetic("copy", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EstimateEntropyRate(4, s.WarmUp()); err == nil {
		t.Error("EstimateEntropyRate accepted documents no longer than the warm-up")
	}
	for _, bad := range [][3]int{{1, 10, 0}, {4, 10, 10}, {4, 10, -1}} {
		if _, _, err := s.MeanNLL(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("MeanNLL%v accepted", bad)
		}
	}
}

func TestEntropyRateOfSpec(t *testing.T) {
	mix, err := NewSynthetic("mix", 3)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := mix.EntropyRate()
	for _, c := range []struct {
		spec string
		want float64
		bad  bool
	}{
		{"synthetic:mix?seed=3&train=1000", want, false},
		{"builtin", 0, false},
		{"dir:/nowhere", 0, false},
		{"synthetic:nosuch", 0, true},
		{"synthetic:mix?seed=-1", 0, true},
		{"what:ever", 0, true},
	} {
		got, err := EntropyRate(c.spec)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("EntropyRate(%q) = %v, %v; want %v (error: %v)", c.spec, got, err, c.want, c.bad)
		}
	}
}
