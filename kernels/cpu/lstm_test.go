package cpu

import (
	"fmt"
	"math"
	"testing"

	"github.com/plateau-lab/plateau/internal/race"
)

// lstmCase is one layer's inputs, drawn at random.
type lstmCase[T Float] struct {
	s                     LSTMShape
	x, wih, whh, bias     []T
	dy                    []T // the projection R that turns y into a loss
	saved, scratch        []T
	y, dx, dwih, dwhh, db []T
}

func newLSTMCase[T Float](s LSTMShape, seed uint64) *lstmCase[T] {
	rng := opRNG(seed)
	g := 4 * s.Hidden
	rows := s.Batch * s.Seq
	c := &lstmCase[T]{s: s,
		x: opRand[T](rng, rows*s.In), wih: opRand[T](rng, g*s.In), whh: opRand[T](rng, g*s.Hidden),
		bias: opRand[T](rng, g), dy: opRand[T](rng, rows*s.Hidden),
		saved: make([]T, s.SavedSize()), scratch: make([]T, s.ScratchSize()),
		y: make([]T, rows*s.Hidden), dx: make([]T, rows*s.In), dwih: make([]T, g*s.In),
		dwhh: make([]T, g*s.Hidden), db: make([]T, g)}
	// Weights of unit scale saturate the gates; these keep them in their
	// curved range, where mistakes show.
	for _, w := range [][]T{c.wih, c.whh} {
		for i := range w {
			w[i] *= 0.6
		}
	}
	return c
}

func (c *lstmCase[T]) forward(p *Pool) {
	LSTMForward(p, c.s, c.y, c.x, c.wih, c.whh, c.bias, SplitLSTMSaved(c.saved, c.s))
}

func (c *lstmCase[T]) backward(p *Pool) {
	LSTMBackward(p, c.s, c.dx, c.dwih, c.dwhh, c.db, c.x, c.wih, c.whh, c.y, c.dy,
		SplitLSTMSaved(c.saved, c.s), SplitLSTMScratch(c.scratch, c.s))
}

// lstmReference is an independent float64 LSTM written as the equations
// read, one sequence, step and unit at a time, with math.Tanh: the golden
// implementation the kernel's forward is checked against.
func lstmReference(s LSTMShape, x, wih, whh, bias []float64) []float64 {
	h := s.Hidden
	sigmoid := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	y := make([]float64, s.Batch*s.Seq*h)
	for b := range s.Batch {
		hPrev, cPrev := make([]float64, h), make([]float64, h)
		for t := range s.Seq {
			xt := x[(b*s.Seq+t)*s.In:][:s.In]
			hNew, cNew := make([]float64, h), make([]float64, h)
			for j := range h {
				var z [4]float64
				for k := range 4 {
					u := k*h + j
					z[k] = bias[u]
					for m := range s.In {
						z[k] += wih[u*s.In+m] * xt[m]
					}
					for m := range h {
						z[k] += whh[u*h+m] * hPrev[m]
					}
				}
				i, f, g, o := sigmoid(z[0]), sigmoid(z[1]), math.Tanh(z[2]), sigmoid(z[3])
				cNew[j] = f*cPrev[j] + i*g
				hNew[j] = o * math.Tanh(cNew[j])
			}
			copy(y[(b*s.Seq+t)*h:][:h], hNew)
			hPrev, cPrev = hNew, cNew
		}
	}
	return y
}

var lstmShapes = []LSTMShape{
	{Batch: 1, Seq: 1, In: 3, Hidden: 2},
	{Batch: 2, Seq: 5, In: 3, Hidden: 4},
	{Batch: 3, Seq: 7, In: 5, Hidden: 3},
}

func lstmName(s LSTMShape) string {
	return fmt.Sprintf("b%d_t%d_in%d_h%d", s.Batch, s.Seq, s.In, s.Hidden)
}

// TestLSTMGolden checks the forward against the reference, in float64 to
// rounding and in float32 to float32's precision.
func TestLSTMGolden(t *testing.T) {
	for _, s := range append(lstmShapes, LSTMShape{Batch: 4, Seq: 33, In: 24, Hidden: 40}) {
		t.Run(lstmName(s), func(t *testing.T) {
			c := newLSTMCase[float64](s, 1)
			want := lstmReference(s, c.x, c.wih, c.whh, c.bias)
			for _, pc := range opPools {
				c.forward(pc.p)
				opClose(t, "y/"+pc.name, c.y, want, 1e-13)
			}
			c32 := &lstmCase[float32]{s: s, x: opToF32(c.x), wih: opToF32(c.wih), whh: opToF32(c.whh), bias: opToF32(c.bias),
				y: make([]float32, len(c.y)), saved: make([]float32, s.SavedSize())}
			c32.forward(nil)
			opClose(t, "y/float32", c32.y, opToF32(want), 2e-6)
		})
	}
}

// TestLSTMGradients checks every gradient against central differences of
// L = sum(y*R) in float64.
func TestLSTMGradients(t *testing.T) {
	for _, s := range lstmShapes {
		t.Run(lstmName(s), func(t *testing.T) {
			c := newLSTMCase[float64](s, 2)
			loss := func() float64 {
				y := make([]float64, len(c.y))
				saved := make([]float64, s.SavedSize())
				LSTMForward(nil, s, y, c.x, c.wih, c.whh, c.bias, SplitLSTMSaved(saved, s))
				return opDot(y, c.dy)
			}
			for _, pc := range opPools {
				c.forward(pc.p)
				c.backward(pc.p)
				opCheckGrad(t, "dx/"+pc.name, c.x, c.dx, loss)
				opCheckGrad(t, "dwih/"+pc.name, c.wih, c.dwih, loss)
				opCheckGrad(t, "dwhh/"+pc.name, c.whh, c.dwhh, loss)
				opCheckGrad(t, "dbias/"+pc.name, c.bias, c.db, loss)
			}
		})
	}
}

// TestLSTMFloat32 checks the float32 kernels (vector exponentials, the
// assembly GEMM) against the float64 ones, and that they give the same
// bits for any pool size (where the GEMM does: gemmPoolExact).
func TestLSTMFloat32(t *testing.T) {
	s := LSTMShape{Batch: 19, Seq: 11, In: 40, Hidden: 36} // three groups of sequences
	ref := newLSTMCase[float64](s, 3)
	ref.forward(nil)
	ref.backward(nil)
	var first *lstmCase[float32]
	for _, pc := range opPools {
		c := newLSTMCase[float32](s, 3)
		c.forward(pc.p)
		c.backward(pc.p)
		for _, v := range []struct {
			name      string
			got, want []float32
		}{
			{"y", c.y, opToF32(ref.y)}, {"dx", c.dx, opToF32(ref.dx)}, {"dwih", c.dwih, opToF32(ref.dwih)},
			{"dwhh", c.dwhh, opToF32(ref.dwhh)}, {"db", c.db, opToF32(ref.db)},
		} {
			opClose(t, v.name+"/"+pc.name, v.got, v.want, 2e-5)
		}
		if first == nil || !gemmPoolExact {
			first = c
			continue
		}
		opSame(t, "y", c.y, first.y)
		opSame(t, "dx", c.dx, first.dx)
		opSame(t, "dwih", c.dwih, first.dwih)
		opSame(t, "dwhh", c.dwhh, first.dwhh)
		opSame(t, "db", c.db, first.db)
	}
}

// TestLSTMSaturated: gates driven far into their flat ends give the
// functions' limits, not NaN.
func TestLSTMSaturated(t *testing.T) {
	s := LSTMShape{Batch: 1, Seq: 3, In: 2, Hidden: 2}
	c := newLSTMCase[float32](s, 4)
	for i := range c.wih {
		c.wih[i] *= 1e4
	}
	c.forward(nil)
	c.backward(nil)
	for name, v := range map[string][]float32{"y": c.y, "dx": c.dx, "dwih": c.dwih, "dwhh": c.dwhh, "db": c.db} {
		for i, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				t.Fatalf("%s[%d] = %v", name, i, x)
			}
		}
	}
	for i, y := range c.y {
		if y < -1 || y > 1 {
			t.Errorf("y[%d] = %v, outside [-1, 1]", i, y)
		}
	}
}

// TestLSTMAllocs: once the pool's scratch has grown, a forward and backward
// step allocates nothing.
func TestLSTMAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector changes what escapes")
	}
	p := NewPool(2)
	defer p.Close()
	c := newLSTMCase[float32](LSTMShape{Batch: 4, Seq: 16, In: 32, Hidden: 32}, 5)
	step := func() {
		c.forward(p)
		c.backward(p)
	}
	step()
	if n := testing.AllocsPerRun(10, step); n != 0 {
		t.Errorf("%v allocations per forward and backward, want 0", n)
	}
}
