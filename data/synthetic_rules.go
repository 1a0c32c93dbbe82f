package data

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
)

// RulesConfig is the shape of a rules source (see Synthetic, "The rules
// kind"). Every size is a power of two so that each draw takes whole bits
// and every probability is exact.
type RulesConfig struct {
	// Rules is K, the number of rules: a power of two from 2 to 2^20.
	Rules int `json:"rules"`
	// Zipf is s > 0: the rule of rank k = 1..K is drawn with probability
	// proportional to k^-s. A model that knows the first n rules is
	// above H by about n^-(s-1) (times a constant), so s sets the
	// exponents of the loss in N and D.
	Zipf float64 `json:"zipf"`
	// Symbols is V, the tokens each rule's chain walks over: a power of
	// two from 2 to 2^14. A rule costs about V log2 V bits to memorise.
	Symbols int `json:"symbols"`
	// Segment is S, the tokens of a segment (two key tokens, then S-2
	// chain symbols): a power of two from 4 to 2^16. A window whose
	// length is a multiple of S, cut at a multiple of S, starts at a
	// segment.
	Segment int `json:"segment"`
	// Noise is eps in [0, 1], the chance that a chain symbol is drawn
	// uniformly instead of as the rule's successor; it is rounded to a
	// multiple of 1/65536.
	Noise float64 `json:"noise"`
}

// DefaultRules is the rules source of synthetic:rules without parameters:
// 128 rules of 64 symbols (a rule is 64 transitions to learn), a flat Zipf
// law (s = 1.2) and 10% noise. At CPU scale (0.1M to 0.85M parameters, a
// few million tokens) a model learns a transition only after seeing it
// about 30 to 150 times, larger models after fewer; these settings let the
// largest runs approach H within the budget while the smaller models and
// budgets stay well above it.
func DefaultRules() RulesConfig {
	return RulesConfig{Rules: 128, Zipf: 1.2, Symbols: 64, Segment: 16, Noise: 0.1}
}

// String is the configuration as the parameters of a data spec.
func (c RulesConfig) String() string {
	return fmt.Sprintf("rules=%d&zipf=%s&symbols=%d&segment=%d&noise=%s", c.Rules, strconv.FormatFloat(c.Zipf, 'g', -1, 64),
		c.Symbols, c.Segment, strconv.FormatFloat(c.Noise, 'g', -1, 64))
}

// validate checks the configuration, naming the first field out of range.
func (c RulesConfig) validate() error {
	pow2 := func(v, lo, hi int) bool { return v >= lo && v <= hi && v&(v-1) == 0 }
	switch {
	case !pow2(c.Rules, 2, 1<<20):
		return fmt.Errorf("rules = %d, want a power of two from 2 to %d", c.Rules, 1<<20)
	case !(c.Zipf > 0 && c.Zipf <= 16):
		return fmt.Errorf("zipf = %v, want an exponent in (0, 16]", c.Zipf)
	case !pow2(c.Symbols, 2, 1<<14):
		return fmt.Errorf("symbols = %d, want a power of two from 2 to %d", c.Symbols, 1<<14)
	case !pow2(c.Segment, 4, 1<<16):
		return fmt.Errorf("segment = %d, want a power of two from 4 to %d", c.Segment, 1<<16)
	case !(c.Noise >= 0 && c.Noise <= 1):
		return fmt.Errorf("noise = %v, want a probability in [0, 1]", c.Noise)
	}
	return nil
}

// ruleChains is the process of the rules kind. Token ids: the V chain
// symbols 0..V-1, then the A key tokens, then the end-of-text id.
type ruleChains struct {
	cfg                RulesConfig
	keys               int    // A, the key alphabet: the least power of two with A^2 >= K
	rankBits, symShift uint   // log2 K, log2 V
	noiseQ             uint64 // eps * 65536

	// Per rule (by rank): the alias column of the Zipf draw (share of its
	// own rank out of 2^32, and the rank that takes the rest), its key and
	// the cost of its second key token given the first.
	share, alias []uint32
	key          [][2]int32
	key2NLL      []float64
	key1NLL      []float64 // per key token: -log of its chance to open a segment
	succ         []int32   // succ[k*V+v]: rule k's successor of symbol v

	hit, miss, first float64 // -log p of a successor, of any other symbol, of a segment's first symbol
	step             float64 // h_eps, the entropy of one transition
	rate, rateErr    float64
}

// NewRules builds the rules source of configuration cfg whose random
// tables come from seed, and computes its entropy rate.
func NewRules(cfg RulesConfig, seed uint64) (*Synthetic, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("synthetic source %q: %w", RulesKind, err)
	}
	s := &Synthetic{kind: RulesKind, seed: seed}
	r := newRuleChains(cfg, s)
	s.proc, s.rate, s.rateErr = r, r.rate, r.rateErr
	return s, nil
}

// newRuleChains draws the rules' keys, frequencies and successor tables
// from s's table generator.
func newRuleChains(cfg RulesConfig, s *Synthetic) *ruleChains {
	k, v := cfg.Rules, cfg.Symbols
	r := &ruleChains{cfg: cfg, rankBits: uint(bits.TrailingZeros(uint(k))), symShift: uint(bits.TrailingZeros(uint(v))),
		noiseQ: uint64(math.Round(cfg.Noise * 65536))}
	r.keys = 1 << ((r.rankBits + 1) / 2)
	rng := s.tableRNG()

	// The Zipf law, as exact integer weights in an alias table.
	w := make([]float64, k)
	for i := range w {
		w[i] = math.Pow(float64(i+1), -cfg.Zipf)
	}
	q := make([]uint64, k)
	total := uint64(k) << 32
	quantize(q, w, total)
	cols := make([]aliasCell, k)
	buildAlias(cols, q)
	r.share, r.alias = make([]uint32, k), make([]uint32, k)
	hz := 0.0
	for i, c := range cols {
		// A share of 2^32 (never the alias) is kept as the alias being
		// the rank itself.
		r.share[i], r.alias[i] = uint32(min(c&aliasMask, aliasUnit-1)), uint32(c>>aliasShift)
		if c&aliasMask == aliasUnit {
			r.alias[i] = uint32(i)
		}
		p := float64(q[i]) / float64(total)
		hz -= p * math.Log(p)
	}

	// Keys: distinct random pairs; the first token's chance is the summed
	// weight of the rules it opens.
	pairs := rng.Perm(r.keys * r.keys)[:k]
	r.key = make([][2]int32, k)
	first := make([]uint64, r.keys)
	for i, pr := range pairs {
		r.key[i] = [2]int32{int32(v + pr/r.keys), int32(v + pr%r.keys)}
		first[pr/r.keys] += q[i]
	}
	r.key1NLL = make([]float64, r.keys)
	for a, f := range first {
		r.key1NLL[a] = -math.Log(float64(f) / float64(total))
	}
	r.key2NLL = make([]float64, k)
	for i, pr := range pairs {
		r.key2NLL[i] = -math.Log(float64(q[i]) / float64(first[pr/r.keys]))
	}

	// Each rule's chain: a random permutation of the symbols.
	r.succ = make([]int32, k*v)
	for i := range k {
		for j, t := range rng.Perm(v) {
			r.succ[i*v+j] = int32(t)
		}
	}

	eps, vf := float64(r.noiseQ)/65536, float64(v)
	pHit, pMiss := 1-eps+eps/vf, eps/vf
	r.hit, r.miss, r.first = -math.Log(pHit), -math.Log(pMiss), math.Log(vf)
	h := pHit * r.hit
	if pMiss > 0 {
		h += (vf - 1) * pMiss * r.miss
	}
	seg := float64(cfg.Segment)
	r.step = h
	r.rate = (hz + r.first + (seg-3)*h) / seg
	r.rateErr = float64(k+v) * 0x1p-52 * (r.rate + 1)
	return r
}

// eot is the id after the symbols and the key tokens.
func (r *ruleChains) eot() int32 { return int32(r.cfg.Symbols + r.keys) }

// generate draws a document: segments of S tokens from position 0, the
// last one cut at the document's end. A segment takes one draw for its
// rule (the top log2 K bits pick the alias column, the low 32 bits test
// its share), one for its first symbol (low bits) and one per further
// symbol (low 16 bits decide the noise, the next bits the noise symbol).
func (r *ruleChains) generate(state uint64, x []int32, nll []float64) {
	var (
		n, seg  = len(x), r.cfg.Segment
		vMask   = uint64(r.cfg.Symbols - 1)
		noiseQ  = r.noiseQ
		withNLL = nll != nil
	)
	for at := 0; at < n; at += seg {
		d := splitMix(&state)
		rank := d >> (64 - r.rankBits)
		if uint32(d) >= r.share[rank] {
			rank = uint64(r.alias[rank])
		}
		key := r.key[rank]
		end := min(at+seg, n)
		x[at] = key[0]
		if withNLL {
			nll[at] = r.key1NLL[key[0]-int32(r.cfg.Symbols)]
		}
		if at+1 == end {
			break
		}
		x[at+1] = key[1]
		if withNLL {
			nll[at+1] = r.key2NLL[rank]
		}
		if at+2 == end {
			break
		}
		prev := int32(splitMix(&state) & vMask)
		x[at+2] = prev
		if withNLL {
			nll[at+2] = r.first
		}
		succ := r.succ[rank<<r.symShift : (rank+1)<<r.symShift]
		for t := at + 3; t < end; t++ {
			d := splitMix(&state)
			next := succ[prev]
			tok := next
			if d&0xffff < noiseQ {
				tok = int32(d >> 16 & vMask)
			}
			x[t] = tok
			if withNLL {
				nll[t] = r.miss
				if tok == next {
					nll[t] = r.hit
				}
			}
			prev = tok
		}
	}
}
