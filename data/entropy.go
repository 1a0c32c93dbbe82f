package data

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Power iteration limits for the stationary distribution of a Synthetic
// source's Markov chain.
const (
	stationaryTol     = 1e-14
	stationaryMaxIter = 20000
)

// stationary returns the stationary distribution over the contexts of c's
// chain and a bound on its L1 error. It iterates the lazy chain
// pi <- (pi + pi P) / 2 from the uniform distribution: the lazy chain has
// the same stationary distribution and is aperiodic, so the iteration
// converges for any chain with a single closed class.
func stationary(c *markovChain) ([]float64, float64, error) {
	k, n := c.p.support, c.numContexts()
	unit := 1 / float64(uint64(k)<<32) // probability of one unit of weight
	pi := make([]float64, n)
	next := make([]float64, n)
	for ctx := range pi {
		pi[ctx] = 1 / float64(n)
	}
	prev := math.Inf(1)
	for range stationaryMaxIter {
		for ctx, v := range pi {
			next[ctx] = v / 2
		}
		for ctx, v := range pi {
			if v == 0 {
				continue
			}
			v *= unit / 2
			for _, cell := range c.cells[ctx*k : (ctx+1)*k] {
				self, alias, ws, wa := cellSides(cell)
				next[c.nextContext(uint64(ctx), self)] += v * float64(ws)
				next[c.nextContext(uint64(ctx), alias)] += v * float64(wa)
			}
		}
		d := 0.0
		for ctx, v := range next {
			d += math.Abs(v - pi[ctx])
		}
		pi, next = next, pi
		if d < stationaryTol {
			// The changes shrink geometrically by about d/prev per step,
			// so the distance left to the limit is about d*r/(1-r).
			r := min(d/prev, 0.99)
			return pi, d*r/(1-r) + float64(n)*0x1p-52, nil
		}
		prev = d
	}
	return nil, 0, errors.New("stationary distribution: power iteration did not converge")
}

// closedFormRate returns the entropy rate of c in nats per token from the
// stationary distribution pi (with L1 error piErr) and a bound on its
// numerical error; see the Synthetic documentation for the formula.
func (c *markovChain) closedFormRate(pi []float64, piErr float64) (float64, float64) {
	k := c.p.support
	unit := 1 / float64(uint64(k)<<32)
	hm, hmax := 0.0, 0.0
	for ctx, v := range pi {
		h := 0.0
		for i := ctx * k; i < (ctx+1)*k; i++ {
			_, _, ws, wa := cellSides(c.cells[i])
			h += unit * (float64(ws)*c.sideNLL[2*i] + float64(wa)*c.sideNLL[2*i+1])
		}
		hm += v * h
		hmax = max(hmax, h)
	}
	errM := piErr*hmax + float64(len(pi))*0x1p-52*hmax
	if c.p.copyQ == 0 {
		return hm, errM
	}
	q := float64(c.p.copyQ) / 65536
	hq := -q*math.Log(q) - (1-q)*math.Log1p(-q)
	hOff, hLen := math.Log(float64(c.p.offsets)), math.Log(float64(c.p.lengths))
	meanLen := float64(c.p.lenStep) * float64(c.p.lengths+1) / 2
	num := hq + (1-q)*hm + q*(hOff+hLen)
	den := (1 - q) + q*(3+meanLen)
	return num / den, (1 - q) * errM / den
}

// EstimateEntropyRate averages the source's own -log p(x_t | x_<t) over
// documents 0..docs-1 of n tokens each, leaving out each document's warm-up
// (see WarmUp), after which the process is stationary. It is the Monte Carlo
// check of EntropyRate; it is an error if n does not exceed the warm-up or
// docs < 2.
func (s *Synthetic) EstimateEntropyRate(docs, n int) (nats, stderr float64, err error) {
	nats, stderr, err = s.MeanNLL(docs, n, s.WarmUp())
	if err != nil {
		return 0, 0, fmt.Errorf("estimate entropy rate: %w", err)
	}
	return nats, stderr, nil
}

// MeanNLL averages DocNLL over positions from..n-1 of documents 0..docs-1
// of n tokens: the loss of the ideal model on those positions when it sees
// each document from its start, which is the irreducible loss of training on
// such documents (from = 1 leaves out the first token, which no window
// predicts). Documents are independent, so the standard error is that of the
// mean of the per-document averages. It is an error if docs < 2 or from is
// outside [0, n).
func (s *Synthetic) MeanNLL(docs, n, from int) (nats, stderr float64, err error) {
	if docs < 2 || from < 0 || from >= n {
		return 0, 0, fmt.Errorf("mean NLL of %q: want at least 2 documents and a first position in [0, n), got %d documents of %d tokens from position %d", s.kind, docs, n, from)
	}
	means := make([]float64, docs)
	workers := min(runtime.GOMAXPROCS(0), docs)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for d := w; d < docs; d += workers {
				_, nll := s.DocNLL(uint64(d), n)
				sum := 0.0
				for _, v := range nll[from:] {
					sum += v
				}
				means[d] = sum / float64(n-from)
			}
		})
	}
	wg.Wait()
	nats, stderr = meanStderr(means)
	return nats, stderr, nil
}

// meanStderr returns the mean of xs, which must hold at least two values,
// and the standard error of that mean.
func meanStderr(xs []float64) (mean, stderr float64) {
	for _, v := range xs {
		mean += v
	}
	mean /= float64(len(xs))
	m2 := 0.0
	for _, v := range xs {
		m2 += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(m2 / float64(len(xs)-1) / float64(len(xs)))
}

// WarmUp returns the number of leading positions of a document that are not
// yet part of the stationary process: the first context's tokens and, when
// copies are enabled, the positions at which a copy could not yet reach
// every offset.
func (s *Synthetic) WarmUp() int { return s.warmUp }
