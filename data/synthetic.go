package data

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
)

// Synthetic is a random token source whose entropy rate is known, so that a
// scaling-law fit can be checked against the true irreducible loss.
//
// # The process
//
// Tokens come in three groups: content tokens 0..C-1, the copy tokens (a
// COPY marker, one token per offset, one token per length) and, last, an
// end-of-text id that documents never contain and that callers may use as a
// separator. Content comes from a sparse Markov chain of order 1 or 2: every
// context (the last one or two content tokens of the chain) has its own
// random support of k tokens with random, skewed probabilities. Every
// probability is a multiple of 2^-32/k, so the generator knows the exact
// probability of each token it draws.
//
// A document starts with a context drawn from the chain's stationary
// distribution (its one or two tokens are emitted). From then on each "base
// step" emits either a Markov token (the chain advances) or, with
// probability q, a copy episode: COPY, an offset token for o, a length token
// for L, then L tokens that repeat the document, x[t] = x[t-o]. L is uniform
// over the preset's lengths; o is uniform over the preset's first m offsets,
// where m is the largest power of two (at most the number of offsets) for
// which every such offset points inside the document, so copies start a
// few tokens into a document and reach the full offset range once it is
// long enough. After the episode the chain resumes from the context it had
// before it, so copies never disturb the Markov state. Every latent choice
// is visible in the tokens (m follows from the position), so the generator
// knows p(x_t | x_<t) exactly for each token: DocNLL returns it.
//
// # The entropy rate
//
// Because the chain only moves on Markov steps, its context at every base
// step is distributed as the stationary distribution pi, computed by power
// iteration until the L1 change is below 1e-14. With H_M the mean over pi of
// the entropy of a context's next token, h(q) the binary entropy, H_O and
// H_L the entropies of the offset and length choices and E[L] the mean
// length, the renewal-reward theorem gives the rate in nats per token
//
//	H = (h(q) + (1-q) H_M + q (H_O + H_L)) / ((1-q) + q (3 + E[L]))
//
// which is H_M when q = 0. EntropyRate returns this closed form;
// EstimateEntropyRate averages the generator's own -log p over sampled
// documents, with a standard error, as an independent check.
//
// # Presets (SyntheticKinds)
//
//   - markov1: C = 512, order 1, k = 16. A model must learn a 512 x 512
//     bigram table (8K non-zero entries); tiny models reach H.
//   - ngram3: C = 256, order 2, k = 8. The next token depends on the two
//     previous ones through 65536 contexts of 8 tokens each (524K
//     probabilities): loss approaches H only as the model grows enough to
//     memorise the table.
//   - copy: markov1's chain plus copy episodes with q = 3277/65536 (about
//     5%), offsets 8, 16, ..., 128 and lengths 4, 8, ..., 32. Copied tokens
//     cost nothing to a model that has learned to read the offset and
//     length and attend back (an induction head) and to resume the chain
//     from the context before the episode.
//   - mix: ngram3's chain plus copy episodes with q = 1311/65536 (about
//     2%), offsets 16, 32, ..., 512 and lengths 4, 8, ..., 64: both the
//     memorisation of ngram3 and long-range retrieval.
//
// # What a model sees
//
// H is the limit of the ideal loss with enough context. The first tokens of
// a document differ (its first context is drawn from pi, and copies reach
// back less far until position WarmUp), so the ideal loss averaged over a
// short document differs slightly from H. DocNLL gives the exact ideal loss
// of every token and MeanNLL its average over documents of a given length,
// the irreducible loss of training on such documents.
//
// Document i is a deterministic function of (kind, seed, i) and does not
// depend on other documents; the tables depend on (kind, seed). A Synthetic
// is immutable and safe for concurrent use.
type Synthetic struct {
	kind string
	seed uint64
	p    syntheticPreset

	shift   uint   // log2 of the content size
	ctxMask uint64 // contexts are the last `order` content tokens, packed
	// Per context, the k columns of its alias table (drawCell) and, for
	// each column, -log p of its own token and of its alias token.
	cells   []uint64
	sideNLL []float64

	startCum  []float64 // cumulative stationary distribution over contexts
	startNLL  []float64 // -log pi(context)
	firstNLL  []float64 // order 2: -log of the first token's marginal
	copyStart int       // first position at which a copy may start
	warmUp    int       // first position from which the process is stationary

	rate, rateErr float64
}

// syntheticPreset describes one kind of Synthetic.
type syntheticPreset struct {
	name    string
	content int     // number of content tokens, a power of two <= 2^15
	order   int     // Markov order: 1 or 2
	support int     // tokens per context, a power of two <= 64
	spread  float64 // standard deviation of the log-weights in a support
	// Copy episodes: probability copyQ/65536 at each base step, offsets
	// offStep*(1..offsets), lengths lenStep*(1..lengths); offsets and
	// lengths are powers of two. copyQ = 0 disables copies.
	copyQ            uint64
	offsets, offStep int
	lengths, lenStep int
}

var syntheticPresets = []syntheticPreset{
	{name: "markov1", content: 512, order: 1, support: 16, spread: 1.5},
	{name: "ngram3", content: 256, order: 2, support: 8, spread: 1.5},
	{name: "copy", content: 512, order: 1, support: 16, spread: 1.5,
		copyQ: 3277, offsets: 16, offStep: 8, lengths: 8, lenStep: 4},
	{name: "mix", content: 256, order: 2, support: 8, spread: 1.5,
		copyQ: 1311, offsets: 32, offStep: 16, lengths: 16, lenStep: 4},
}

// SyntheticKinds returns the names of the synthetic presets, in order of
// increasing difficulty.
func SyntheticKinds() []string {
	names := make([]string, len(syntheticPresets))
	for i, p := range syntheticPresets {
		names[i] = p.name
	}
	return names
}

// NewSynthetic builds the source of the given kind (one of SyntheticKinds)
// whose random tables come from seed, and computes its entropy rate.
func NewSynthetic(kind string, seed uint64) (*Synthetic, error) {
	i := slices.IndexFunc(syntheticPresets, func(p syntheticPreset) bool { return p.name == kind })
	if i < 0 {
		return nil, fmt.Errorf("synthetic source: unknown kind %q, want one of %s", kind, strings.Join(SyntheticKinds(), ", "))
	}
	p := syntheticPresets[i]
	s := &Synthetic{kind: kind, seed: seed, p: p, shift: uint(bits.TrailingZeros(uint(p.content)))}
	s.ctxMask = 1<<(s.shift*uint(p.order)) - 1
	s.buildTables()
	pi, piErr, err := stationary(s)
	if err != nil {
		return nil, fmt.Errorf("synthetic source %q seed %d: %w", kind, seed, err)
	}
	s.setStart(pi)
	s.rate, s.rateErr = s.closedFormRate(pi, piErr)
	s.warmUp = p.order
	if p.copyQ > 0 {
		// A copy at position t first copies position t+3 from t+3-o.
		s.copyStart = max(p.order, p.offStep-3)
		s.warmUp = max(p.order, p.offsets*p.offStep-3)
	}
	return s, nil
}

// Kind returns the preset name the source was built with.
func (s *Synthetic) Kind() string { return s.kind }

// VocabSize returns the number of token ids: content, copy tokens and the
// end-of-text id.
func (s *Synthetic) VocabSize() int { return int(s.EOT()) + 1 }

// EOT returns the end-of-text id, the last one, which documents never
// contain; it is there for callers that join documents into one stream.
func (s *Synthetic) EOT() int32 {
	n := s.p.content
	if s.p.copyQ > 0 {
		n += 1 + s.p.offsets + s.p.lengths
	}
	return int32(n)
}

// EntropyRate returns the entropy rate H of the source in nats per token,
// in closed form (see the type's documentation), and a bound on its
// numerical error, which comes from the power iteration and is below 1e-9.
// It is computed once by NewSynthetic.
func (s *Synthetic) EntropyRate() (nats, stderr float64) { return s.rate, s.rateErr }

// copyMarker, offsetToken and lengthToken give the ids of the copy tokens.
func (s *Synthetic) copyMarker() int32       { return int32(s.p.content) }
func (s *Synthetic) offsetToken(i int) int32 { return int32(s.p.content + 1 + i) }
func (s *Synthetic) lengthToken(i int) int32 { return int32(s.p.content + 1 + s.p.offsets + i) }
func (s *Synthetic) numContexts() int        { return int(s.ctxMask) + 1 }
func (s *Synthetic) nextContext(ctx uint64, tok int32) uint64 {
	return (ctx<<s.shift | uint64(tok)) & s.ctxMask
}

// tableRNG returns the generator of the source's random tables.
func (s *Synthetic) tableRNG() *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(s.kind))
	return rand.New(rand.NewPCG(s.seed, h.Sum64()))
}

// buildTables draws each context's support and probabilities and builds its
// alias table.
func (s *Synthetic) buildTables() {
	k, n := s.p.support, s.numContexts()
	s.cells = make([]uint64, n*k)
	s.sideNLL = make([]float64, 2*n*k)
	rng := s.tableRNG()
	supp := make([]int32, k)
	w := make([]float64, k)
	q := make([]uint64, k)
	cols := make([]aliasCell, k)
	total := uint64(k) << 32
	for ctx := range n {
		for j := range supp {
			for {
				t := int32(rng.IntN(s.p.content))
				if !slices.Contains(supp[:j], t) {
					supp[j] = t
					break
				}
			}
			w[j] = math.Exp(s.p.spread * rng.NormFloat64())
		}
		quantize(q, w, total)
		buildAlias(cols, q)
		for c, col := range cols {
			i, other := ctx*k+c, col>>aliasShift
			s.cells[i] = drawCell(col&aliasMask, supp[c], supp[other])
			s.sideNLL[2*i] = -math.Log(float64(q[c]) / float64(total))
			s.sideNLL[2*i+1] = -math.Log(float64(q[other]) / float64(total))
		}
	}
}

// setStart prepares sampling of a document's first context from pi.
func (s *Synthetic) setStart(pi []float64) {
	s.startCum = make([]float64, len(pi))
	s.startNLL = make([]float64, len(pi))
	sum := 0.0
	for c, v := range pi {
		sum += v
		s.startCum[c] = sum
		s.startNLL[c] = -math.Log(v)
	}
	if s.p.order == 2 {
		marg := make([]float64, s.p.content)
		for c, v := range pi {
			marg[c>>s.shift] += v
		}
		s.firstNLL = make([]float64, len(marg))
		for a, v := range marg {
			s.firstNLL[a] = -math.Log(v)
		}
	}
}
