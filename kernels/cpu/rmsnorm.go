package cpu

import "math"

// RMSNormForward normalises each row of x ([rows, d], rows = len(x)/d) by its
// root mean square and scales it by the weight w ([d]), as Llama's RMSNorm:
//
//	rstd[r] = 1/sqrt(mean_j x[r,j]^2 + eps)
//	out[r,j] = (x[r,j]*rstd[r]) * w[j]
//
// out is [rows, d] and rstd [rows]; rstd is saved for the backward pass. The
// mean of squares is accumulated in float64.
func RMSNormForward[T Float](p *Pool, out, rstd, x, w []T, d int, eps T) {
	if d <= 0 {
		return
	}
	rows := len(x) / d
	w = w[:d]
	parallelOn(p, rows, opGrain(d), rmsNormFwd[T]{out: out, rstd: rstd, x: x, w: w, d: d, eps: eps})
}

// rmsNormFwd is the loop of RMSNormForward over rows.
type rmsNormFwd[T Float] struct {
	out, rstd, x, w []T
	d               int
	eps             T
}

func (t *rmsNormFwd[T]) run(_, lo, hi int) {
	d := t.d
	for r := lo; r < hi; r++ {
		xr := t.x[r*d : (r+1)*d]
		var ss float64
		for _, v := range xr {
			ss += float64(v) * float64(v)
		}
		s := T(1 / math.Sqrt(ss/float64(d)+float64(t.eps)))
		t.rstd[r] = s
		or := t.out[r*d : (r+1)*d]
		xr = xr[:len(or)]
		wr := t.w[:len(or)]
		for j := range or {
			or[j] = xr[j] * s * wr[j]
		}
	}
}

// RMSNormBackward is the gradient of RMSNormForward. Given dout ([rows, d]) and
// the forward's x, w and saved rstd it sets
//
//	dx[r,j] = rstd[r] * (dout[r,j]*w[j] - x[r,j] * rstd[r]^2 * c[r])
//	c[r]    = (1/d) * sum_k dout[r,k]*w[k]*x[r,k]
//	dw[j]   = sum_r dout[r,j] * x[r,j] * rstd[r]
//
// dx is [rows, d] and dw [d]. dw is reduced with the columns split among the
// threads and the rows summed in order in float64, so it is the same bit for
// bit for any pool size.
func RMSNormBackward[T Float](p *Pool, dx, dw, x, w, rstd, dout []T, d int) {
	if d <= 0 {
		return
	}
	rows := len(x) / d
	w = w[:d]
	ws := p.acquire()
	defer p.release(ws)
	parallel(ws, rows, opGrain(d), rmsNormBwdRows[T]{dx: dx, x: x, w: w, rstd: rstd, dout: dout, d: d})
	// Columns in chunks of at least 16 so neighbouring threads do not share
	// cache lines of dw; each chunk walks every row.
	grain := 16
	if g := opGrain(rows); g > grain {
		grain = g
	}
	parallel(ws, d, grain, rmsNormBwdCols[T]{ws: ws, dw: dw, x: x, rstd: rstd, dout: dout, d: d, rows: rows})
}

// rmsNormBwdRows is the loop of RMSNormBackward over rows: dx.
type rmsNormBwdRows[T Float] struct {
	dx, x, w, rstd, dout []T
	d                    int
}

func (t *rmsNormBwdRows[T]) run(_, lo, hi int) {
	d := t.d
	for r := lo; r < hi; r++ {
		xr := t.x[r*d : (r+1)*d]
		gr := t.dout[r*d : (r+1)*d]
		gr = gr[:len(xr)]
		wr := t.w[:len(xr)]
		var c float64
		for j := range xr {
			c += float64(gr[j] * wr[j] * xr[j])
		}
		s := t.rstd[r]
		k := T(c/float64(d)) * s * s
		dr := t.dx[r*d : (r+1)*d]
		dr = dr[:len(xr)]
		for j := range xr {
			dr[j] = s * (gr[j]*wr[j] - xr[j]*k)
		}
	}
}

// rmsNormBwdCols is the loop of RMSNormBackward over columns: dw, summed
// over the rows in float64 in the chunk's scratch.
type rmsNormBwdCols[T Float] struct {
	ws                *workspace
	dw, x, rstd, dout []T
	d, rows           int
}

func (t *rmsNormBwdCols[T]) run(chunk, lo, hi int) {
	d := t.d
	acc := floats[float64](t.ws.chunk(chunk), hi-lo)
	clear(acc)
	for r := 0; r < t.rows; r++ {
		xr := t.x[r*d+lo : r*d+hi]
		gr := t.dout[r*d+lo : r*d+hi]
		gr = gr[:len(xr)]
		acc := acc[:len(xr)]
		s := t.rstd[r]
		for j := range xr {
			acc[j] += float64(gr[j] * xr[j] * s)
		}
	}
	dst := t.dw[lo:hi]
	acc = acc[:len(dst)]
	for j := range dst {
		dst[j] = T(acc[j])
	}
}
