package cpu

import "math"

// CrossEntropyForward is the language-model loss over logits ([rows, vocab],
// rows = len(logits)/vocab) and targets ([rows]). For every row it writes
// lse[r] = logsumexp(logits[r,:]) (max-subtracted, summed in float64); rows
// with targets[r] >= 0 are counted and the loss is
//
//	loss = (1/count) * sum_{counted r} (lse[r] - logits[r, targets[r]])
//
// Rows with a negative target (padding, or positions masked out of the loss)
// are ignored, though their lse is still written. count is the number of
// counted rows; with none, loss is 0. The mean is summed in row order in
// float64, so it does not depend on the pool size. Precondition: targets
// below vocab. float32 takes its exponentials with the vector exp of
// expSub, float64 with math.Exp.
func CrossEntropyForward[T Float](p *Pool, lse, logits []T, targets []int32, vocab int) (loss T, count int) {
	if vocab <= 0 {
		return 0, 0
	}
	rows := len(logits) / vocab
	ws := p.acquire()
	defer p.release(ws)
	parallel(ws, rows, opGrain(vocab), ceLogSumExp[T]{ws: ws, lse: lse, logits: logits, vocab: vocab})
	var sum float64
	for r, tg := range targets[:rows] {
		if tg < 0 {
			continue
		}
		sum += float64(lse[r]) - float64(logits[r*vocab+int(tg)])
		count++
	}
	if count == 0 {
		return 0, 0
	}
	return T(sum / float64(count)), count
}

// ceLogSumExp is the loop of CrossEntropyForward over rows: lse[r] =
// logsumexp(logits[r,:]).
type ceLogSumExp[T Float] struct {
	ws          *workspace
	lse, logits []T
	vocab       int
}

func (t *ceLogSumExp[T]) run(chunk, lo, hi int) {
	tmp := floats[T](t.ws.chunk(chunk), t.vocab)
	for r := lo; r < hi; r++ {
		t.lse[r] = T(logSumExp(tmp, t.logits[r*t.vocab:(r+1)*t.vocab]))
	}
}

// logSumExp returns log(sum_j exp(x[j])) computed as max + log(sum exp(x-max))
// with the sum in float64, using tmp (as long as x) for the exponentials.
func logSumExp[T Float](tmp, x []T) float64 {
	mx := rowMax(x)
	return float64(mx) + math.Log(expSub(tmp, x, mx, 1))
}

// CrossEntropyBackward is the gradient of CrossEntropyForward's loss scaled by
// dloss: for every counted row r (targets[r] >= 0)
//
//	dlogits[r,j] = dloss * (exp(logits[r,j] - lse[r]) - [j == targets[r]]) / count
//
// and dlogits[r,:] = 0 for ignored rows. count is recounted from targets, so
// the call needs nothing from the forward but lse. Shapes as in the forward.
func CrossEntropyBackward[T Float](p *Pool, dlogits, logits, lse []T, targets []int32, vocab int, dloss T) {
	if vocab <= 0 {
		return
	}
	rows := len(logits) / vocab
	count := 0
	for _, tg := range targets[:rows] {
		if tg >= 0 {
			count++
		}
	}
	var c T
	if count > 0 {
		c = T(float64(dloss) / float64(count))
	}
	parallelOn(p, rows, opGrain(vocab), ceBackward[T]{dlogits: dlogits, logits: logits, lse: lse, targets: targets, vocab: vocab, c: c})
}

// ceBackward is the loop of CrossEntropyBackward over rows.
type ceBackward[T Float] struct {
	dlogits, logits, lse []T
	targets              []int32
	vocab                int
	c                    T
}

func (t *ceBackward[T]) run(_, lo, hi int) {
	vocab := t.vocab
	for r := lo; r < hi; r++ {
		dr := t.dlogits[r*vocab : (r+1)*vocab]
		tg := int(t.targets[r])
		if tg < 0 {
			clear(dr)
			continue
		}
		expSub(dr, t.logits[r*vocab:(r+1)*vocab], t.lse[r], t.c)
		dr[tg] -= t.c
	}
}
