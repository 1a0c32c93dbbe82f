package cpu

// LSTMShape is the shape of one LSTM layer run over a batch: Batch
// sequences of Seq steps of In-wide inputs, Hidden units, so 4*Hidden gate
// pre-activations per step. Matrices are row-major with rows = Batch*Seq,
// batch-major: row b*Seq+t is step t of sequence b.
type LSTMShape struct {
	Batch, Seq, In, Hidden int
}

func (s LSTMShape) rows() int { return s.Batch * s.Seq }

// lstmGroup is how many sequences the recurrence of LSTMForward and
// LSTMBackward walks together: one group's steps are one small GEMM each.
// The groups, not the threads, fix the GEMMs' shapes, so the results do
// not depend on the pool size with any GEMM backend.
const lstmGroup = 8

// groups is the number of groups of lstmGroup sequences.
func (s LSTMShape) groups() int { return (s.Batch + lstmGroup - 1) / lstmGroup }

// groupSpan is the sequences [lo, hi) of group g.
func (s LSTMShape) groupSpan(g int) (lo, hi int) {
	return g * lstmGroup, min((g+1)*lstmGroup, s.Batch)
}
func (s LSTMShape) gates() int { return 4 * s.Hidden }

// SavedParts are the lengths of the parts of what LSTMForward keeps for
// LSTMBackward, in the order LSTMSaved lists them (one flat buffer cut in
// this order is the layout every device uses).
func (s LSTMShape) SavedParts() [5]int {
	r, g, h := s.rows(), s.gates(), s.Hidden
	return [5]int{r * g, r * h, r * h, s.Batch * g, s.Batch * h}
}

// ScratchParts are the lengths of the parts of LSTMBackward's working
// memory, in the order LSTMScratch lists them.
func (s LSTMShape) ScratchParts() [4]int {
	g, h := s.gates(), s.Hidden
	return [4]int{s.rows() * g, s.Batch * g, s.Batch * h, s.Batch * h}
}

// SavedSize is the total of SavedParts.
func (s LSTMShape) SavedSize() int {
	n := s.SavedParts()
	return sum(n[:])
}

// ScratchSize is the total of ScratchParts.
func (s LSTMShape) ScratchSize() int {
	n := s.ScratchParts()
	return sum(n[:])
}

func sum(n []int) int {
	t := 0
	for _, v := range n {
		t += v
	}
	return t
}

// LSTMSaved is what LSTMForward writes for LSTMBackward, and the forward's
// own working memory.
type LSTMSaved[T Float] struct {
	Gates    []T // [rows, 4h]: i, f, g, o after their nonlinearities
	C, TanhC []T // [rows, h]: the cell state c_t and tanh(c_t)
	R        []T // [batch, 4h], working memory: whh h_{t-1} of the step
	H        []T // [batch, h], working memory: h_{t-1}, contiguous
}

// LSTMScratch is LSTMBackward's working memory.
type LSTMScratch[T Float] struct {
	DGates []T // [rows, 4h]: the gradient of the gate pre-activations
	S      []T // [batch, 4h]: the same for the step being processed, contiguous
	DH, DC []T // [batch, h]: the gradients flowing from step t+1 into h_t and c_t
}

// SplitLSTMSaved cuts a flat buffer of s.SavedSize() elements into its
// parts (allocating nothing).
func SplitLSTMSaved[T Float](flat []T, s LSTMShape) LSTMSaved[T] {
	n := s.SavedParts()
	var v LSTMSaved[T]
	v.Gates, flat = take(flat, n[0])
	v.C, flat = take(flat, n[1])
	v.TanhC, flat = take(flat, n[2])
	v.R, flat = take(flat, n[3])
	v.H, _ = take(flat, n[4])
	return v
}

// SplitLSTMScratch cuts a flat buffer of s.ScratchSize() elements into its
// parts (allocating nothing).
func SplitLSTMScratch[T Float](flat []T, s LSTMShape) LSTMScratch[T] {
	n := s.ScratchParts()
	var v LSTMScratch[T]
	v.DGates, flat = take(flat, n[0])
	v.S, flat = take(flat, n[1])
	v.DH, flat = take(flat, n[2])
	v.DC, _ = take(flat, n[3])
	return v
}

// take splits the first n elements off flat.
func take[T Float](flat []T, n int) (head, rest []T) {
	return flat[:n:n], flat[n:]
}

// LSTMForward runs one LSTM layer over s.Batch sequences from zero state,
// gates in PyTorch's order (input i, forget f, cell g, output o):
//
//	z_t = x_t wih^T + h_{t-1} whh^T + bias            [4h]
//	i, f, o = sigmoid(z_i, z_f, z_o)   g = tanh(z_g)
//	c_t = f*c_{t-1} + i*g              h_t = o*tanh(c_t)
//
// x is [rows, in], wih [4h, in], whh [4h, h], bias [4h]; y [rows, h] gets
// every h_t and saved the gates and cell states. The input projections of
// every position are one GEMM (through the pool); then the sequences, in
// groups of lstmGroup, are split over the pool's threads, each walking a
// group step by step: one small GEMM for the recurrent term, then the
// gates and the state update row by row. A sequence's results depend on
// its group's rows alone, so they do not depend on the pool size. Nothing is allocated once the pool's
// scratch has grown.
func LSTMForward[T Float](p *Pool, s LSTMShape, y, x, wih, whh, bias []T, saved LSTMSaved[T]) {
	if s.Batch <= 0 || s.Seq <= 0 || s.Hidden <= 0 {
		return
	}
	Gemm(p, false, true, s.rows(), s.gates(), s.In, 1, x, wih, 0, saved.Gates)
	ws := p.acquire()
	defer p.release(ws)
	parallel(ws, s.groups(), 1, lstmForward[T]{ws: ws, s: s, y: y, whh: whh, bias: bias, sv: saved})
}

// lstmForward is the loop of LSTMForward over groups of sequences.
type lstmForward[T Float] struct {
	ws           *workspace
	s            LSTMShape
	y, whh, bias []T
	sv           LSTMSaved[T]
}

func (l *lstmForward[T]) run(chunk, first, last int) {
	sc := l.ws.chunk(chunk)
	for gr := first; gr < last; gr++ {
		lo, hi := l.s.groupSpan(gr)
		l.group(sc, lo, hi)
	}
}

// group runs sequences [lo, hi) through every step.
func (l *lstmForward[T]) group(sc *chunkScratch, lo, hi int) {
	s, sv := l.s, l.sv
	h, g, seq := s.Hidden, s.gates(), s.Seq
	tmp := floats[T](sc, g)
	bias := l.bias[:g]
	for t := range seq {
		if t > 0 {
			gemmSerial(sc, false, true, hi-lo, g, h, 1, sv.H[lo*h:hi*h], l.whh, 0, sv.R[lo*g:hi*g])
		}
		for b := lo; b < hi; b++ {
			row := b*seq + t
			z := sv.Gates[row*g : (row+1)*g]
			if t > 0 {
				vecAdd(z, sv.R[b*g:(b+1)*g])
			}
			vecAdd(z, bias)
			lstmGates(z, tmp, h)
			i, f, gg, o := z[:h], z[h:2*h], z[2*h:3*h], z[3*h:]
			c := sv.C[row*h : (row+1)*h]
			if t > 0 {
				prev := sv.C[(row-1)*h : row*h]
				prev = prev[:len(c)]
				for j := range c {
					c[j] = f[j]*prev[j] + i[j]*gg[j]
				}
			} else {
				for j := range c {
					c[j] = i[j] * gg[j]
				}
			}
			tc := sv.TanhC[row*h : (row+1)*h]
			tanhRow(tc, c, tmp)
			out, hp := l.y[row*h:(row+1)*h], sv.H[b*h:(b+1)*h]
			o, tc, hp = o[:len(out)], tc[:len(out)], hp[:len(out)]
			for j := range out {
				out[j] = o[j] * tc[j]
				hp[j] = out[j]
			}
		}
	}
}

// LSTMBackward is the gradient of LSTMForward, backpropagation through
// time. From dy ([rows, h], the gradient of y) and the forward's x, wih,
// whh, y and saved state it sets dx [rows, in], dwih [4h, in], dwhh [4h, h]
// and db [4h]. Walking each sequence from its last step, with dh and dc
// the gradients reaching h_t and c_t from step t+1:
//
//	dh   = dy_t + dh                  dc = dh*o*(1-tanh(c_t)^2) + dc
//	dz_o = dh*tanh(c_t)*o*(1-o)       dz_i = dc*g*i*(1-i)
//	dz_g = dc*i*(1-g^2)               dz_f = dc*c_{t-1}*f*(1-f)
//	dc  <- dc*f                       dh  <- dz_t whh
//
// The groups of sequences are split over the pool's threads as in the
// forward (one small GEMM per step for dh); the weight gradients are then GEMMs over
// every row through the pool: dx = dz wih, dwih = dz^T x, db the column
// sums of dz, and dwhh = sum over steps t > 0 of dz_t^T h_{t-1}, one GEMM
// of dz shifted by a row against y once the rows of the first steps are
// zeroed. Every sum runs in an order fixed by the shapes, so the result
// does not depend on the pool size.
func LSTMBackward[T Float](p *Pool, s LSTMShape, dx, dwih, dwhh, db, x, wih, whh, y, dy []T, saved LSTMSaved[T], scratch LSTMScratch[T]) {
	if s.Batch <= 0 || s.Seq <= 0 || s.Hidden <= 0 {
		return
	}
	rows, g, h := s.rows(), s.gates(), s.Hidden
	ws := p.acquire()
	parallel(ws, s.groups(), 1, lstmBackward[T]{ws: ws, s: s, whh: whh, dy: dy, sv: saved, sc: scratch})
	p.release(ws)
	dz := scratch.DGates[:rows*g]
	Gemm(p, false, false, rows, s.In, g, 1, dz, wih, 0, dx)
	Gemm(p, true, false, g, s.In, rows, 1, dz, x, 0, dwih)
	colSums(p, db[:g], dz, g)
	for b := range s.Batch {
		clear(dz[b*s.Seq*g : (b*s.Seq+1)*g])
	}
	Gemm(p, true, false, g, h, rows-1, 1, dz[g:], y, 0, dwhh)
}

// lstmBackward is the loop of LSTMBackward over groups of sequences.
type lstmBackward[T Float] struct {
	ws      *workspace
	s       LSTMShape
	whh, dy []T
	sv      LSTMSaved[T]
	sc      LSTMScratch[T]
}

func (l *lstmBackward[T]) run(chunk, first, last int) {
	scr := l.ws.chunk(chunk)
	for gr := first; gr < last; gr++ {
		lo, hi := l.s.groupSpan(gr)
		l.group(scr, lo, hi)
	}
}

// group backpropagates sequences [lo, hi) through every step, last first.
func (l *lstmBackward[T]) group(scr *chunkScratch, lo, hi int) {
	s, sv, sc := l.s, l.sv, l.sc
	h, g, seq := s.Hidden, s.gates(), s.Seq
	for t := seq - 1; t >= 0; t-- {
		last := t == seq-1
		for b := lo; b < hi; b++ {
			row := b*seq + t
			z := sv.Gates[row*g : (row+1)*g]
			i, f, gg, o := z[:h], z[h:2*h], z[2*h:3*h], z[3*h:4*h]
			tc, dy := sv.TanhC[row*h:(row+1)*h], l.dy[row*h:(row+1)*h]
			dh, dc := sc.DH[b*h:(b+1)*h], sc.DC[b*h:(b+1)*h]
			dz := sc.S[b*g : (b+1)*g]
			di, df, dg, do := dz[:h], dz[h:2*h], dz[2*h:3*h], dz[3*h:4*h]
			var prev []T
			if t > 0 {
				prev = sv.C[(row-1)*h : row*h]
			}
			for j := range h {
				dhj := dy[j]
				if !last {
					dhj += dh[j]
				}
				dcj := dhj * o[j] * (1 - tc[j]*tc[j])
				if !last {
					dcj += dc[j]
				}
				do[j] = dhj * tc[j] * o[j] * (1 - o[j])
				di[j] = dcj * gg[j] * i[j] * (1 - i[j])
				dg[j] = dcj * i[j] * (1 - gg[j]*gg[j])
				if prev != nil {
					df[j] = dcj * prev[j] * f[j] * (1 - f[j])
				} else {
					df[j] = 0
				}
				dc[j] = dcj * f[j]
			}
			copy(sc.DGates[row*g:(row+1)*g], dz)
		}
		if t > 0 {
			gemmSerial(scr, false, false, hi-lo, h, g, 1, sc.S[lo*g:hi*g], l.whh, 0, sc.DH[lo*h:hi*h])
		}
	}
}

// lstmGates applies the gate nonlinearities to z ([4h]: i, f, g, o) in
// place, sigmoid(x) = 1/(1+e^-x) for i, f and o and tanh(x) =
// 2/(1+e^-2x) - 1 for g, with the exponentials of the whole row in one
// vector pass through tmp ([4h]). Overflowing exponentials give the
// functions' limits (0 and -1).
func lstmGates[T Float](z, tmp []T, h int) {
	tmp = tmp[:len(z)]
	for j, v := range z {
		tmp[j] = -v
	}
	for j := 2 * h; j < 3*h; j++ {
		tmp[j] *= 2
	}
	expSub(tmp, tmp, 0, 1)
	for j, e := range tmp {
		z[j] = 1 / (1 + e)
	}
	for j := 2 * h; j < 3*h; j++ {
		z[j] = 2*z[j] - 1
	}
}

// tanhRow sets dst = tanh(src) elementwise as 2/(1+e^-2x) - 1, the
// exponentials in one vector pass through tmp (at least len(src)).
func tanhRow[T Float](dst, src, tmp []T) {
	tmp = tmp[:len(src)]
	dst = dst[:len(src)]
	for j, v := range src {
		tmp[j] = -2 * v
	}
	expSub(tmp, tmp, 0, 1)
	for j, e := range tmp {
		dst[j] = 2/(1+e) - 1
	}
}

// vecAdd sets dst += x over len(dst) elements (x at least as long).
func vecAdd[T Float](dst, x []T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += x[i]
	}
}

// colSums sets dst[j] = sum_r src[r*cols+j] over the rows of src
// ([rows, cols], rows = len(src)/cols), for the bias gradients. The columns
// are split over the pool, each summed over the rows in order in float64,
// so the result is the same bit for bit for any pool size.
func colSums[T Float](p *Pool, dst, src []T, cols int) {
	if cols <= 0 {
		return
	}
	rows := len(src) / cols
	ws := p.acquire()
	defer p.release(ws)
	grain := max(16, opGrain(rows))
	parallel(ws, cols, grain, columnSums[T]{ws: ws, dst: dst, src: src, rows: rows, cols: cols})
}

// columnSums is the loop of ColumnSums over columns.
type columnSums[T Float] struct {
	ws         *workspace
	dst, src   []T
	rows, cols int
}

func (t *columnSums[T]) run(chunk, lo, hi int) {
	acc := floats[float64](t.ws.chunk(chunk), hi-lo)
	clear(acc)
	for r := range t.rows {
		row := t.src[r*t.cols+lo : r*t.cols+hi]
		row = row[:len(acc)]
		for j, v := range row {
			acc[j] += float64(v)
		}
	}
	dst := t.dst[lo:hi]
	acc = acc[:len(dst)]
	for j := range dst {
		dst[j] = T(acc[j])
	}
}
