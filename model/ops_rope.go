package model

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RoPE rotates every head of x [rows, Heads*HeadDim] by its position
// (row % Seq) in Hugging Face's rotate-half form. Its gradient is the inverse
// rotation, the same op with Inverse flipped.
type RoPE struct {
	base
	Seq, Heads, HeadDim int
	Theta               float64
	Inverse             bool
}

func (o *RoPE) Arity() int    { return 1 }
func (o *RoPE) Type() hm.Type { return hm.NewFnType(mat(), mat()) }
func (o *RoPE) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	if err := wantDims(o, 0, s[0], 2); err != nil {
		return nil, err
	}
	if s[0][1] != o.Heads*o.HeadDim || s[0][0]%o.Seq != 0 {
		return nil, fmt.Errorf("%v: input %v, want [batch*%d, %d]", o, s[0], o.Seq, o.Heads*o.HeadDim)
	}
	return s[0].Clone(), nil
}
func (o *RoPE) String() string {
	return fmt.Sprintf("RoPE(seq=%d,heads=%d,hd=%d,theta=%g,inv=%v)", o.Seq, o.Heads, o.HeadDim, o.Theta, o.Inverse)
}
func (o *RoPE) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *RoPE) Hashcode() uint32      { return hashcode(o) }
func (o *RoPE) DiffWRT(int) []bool    { return []bool{true} }
func (o *RoPE) SymDiff(_ gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	inv := *o
	inv.Inverse = !o.Inverse
	dx, err := gorgonia.ApplyOp(&inv, grad)
	return gorgonia.Nodes{dx}, err
}
