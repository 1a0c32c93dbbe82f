package model

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LSTMLayer is one LSTM layer run over Batch sequences of Seq steps, each
// starting from zero state. Its inputs are x [rows, in] (rows =
// Batch*Seq, batch-major: row b*Seq+t is step t of sequence b), the
// stacked gate weights wih [4*Hidden, in] and whh [4*Hidden, Hidden] and
// the gate bias [4*Hidden], gates in PyTorch's order: input i, forget f,
// cell g, output o. With z_t = wih x_t + whh h_{t-1} + bias cut into four:
//
//	i = sigmoid(z_i)  f = sigmoid(z_f)  g = tanh(z_g)  o = sigmoid(z_o)
//	c_t = f*c_{t-1} + i*g
//	h_t = o*tanh(c_t)
//
// with h_{-1} = c_{-1} = 0. The output is every h_t, [rows, Hidden]. The
// forward keeps the gates and cell states for the backward pass
// (backpropagation through time).
type LSTMLayer struct {
	base
	Batch, Seq, Hidden int
}

func (o *LSTMLayer) Arity() int    { return 4 }
func (o *LSTMLayer) Type() hm.Type { return hm.NewFnType(mat(), mat(), mat(), vecF(), mat()) }
func (o *LSTMLayer) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	if err := wantDims(o, 0, s[0], 2); err != nil {
		return nil, err
	}
	rows, width, g := o.Batch*o.Seq, s[0][1], 4*o.Hidden
	want := []tensor.Shape{{rows, width}, {g, width}, {g, o.Hidden}, {g}}
	for i := range want {
		if !s[i].Eq(want[i]) {
			return nil, fmt.Errorf("%v: input %d has shape %v, want %v", o, i, s[i], want[i])
		}
	}
	return tensor.Shape{rows, o.Hidden}, nil
}
func (o *LSTMLayer) String() string {
	return fmt.Sprintf("LSTM(b=%d,seq=%d,hidden=%d)", o.Batch, o.Seq, o.Hidden)
}
func (o *LSTMLayer) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *LSTMLayer) Hashcode() uint32      { return hashcode(o) }
func (o *LSTMLayer) DiffWRT(int) []bool    { return []bool{true, true, true, true} }
func (o *LSTMLayer) SymDiff(in gorgonia.Nodes, out, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	packed, err := gorgonia.ApplyOp(&LSTMLayerGrad{Layer: *o}, in[0], in[1], in[2], out, grad)
	if err != nil {
		return nil, err
	}
	rows, width, g := o.Batch*o.Seq, in[0].Shape()[1], 4*o.Hidden
	dx, err := view(packed, 0, rows, width)
	if err != nil {
		return nil, err
	}
	off := rows * width
	dwih, err := view(packed, off, g, width)
	if err != nil {
		return nil, err
	}
	off += g * width
	dwhh, err := view(packed, off, g, o.Hidden)
	if err != nil {
		return nil, err
	}
	off += g * o.Hidden
	db, err := view(packed, off, g)
	return gorgonia.Nodes{dx, dwih, dwhh, db}, err
}

// LSTMLayerGrad takes (x, wih, whh, the LSTMLayer node, dout) and returns dx, dwih,
// dwhh and dbias packed one after the other.
type LSTMLayerGrad struct {
	gradOnly
	Layer LSTMLayer
}

func (o *LSTMLayerGrad) Arity() int { return 5 }
func (o *LSTMLayerGrad) Type() hm.Type {
	return hm.NewFnType(mat(), mat(), mat(), mat(), mat(), vecF())
}
func (o *LSTMLayerGrad) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0].TotalSize() + s[1].TotalSize() + s[2].TotalSize() + 4*o.Layer.Hidden}, nil
}
func (o *LSTMLayerGrad) String() string        { return "Grad" + o.Layer.String() }
func (o *LSTMLayerGrad) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *LSTMLayerGrad) Hashcode() uint32      { return hashcode(o) }
