package model

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SwiGLU is silu(gate) * up, elementwise, the gated activation of Llama's MLP.
type SwiGLU struct{ base }

func (o *SwiGLU) Arity() int    { return 2 }
func (o *SwiGLU) Type() hm.Type { return hm.NewFnType(mat(), mat(), mat()) }
func (o *SwiGLU) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	if !s[0].Eq(s[1]) {
		return nil, fmt.Errorf("%v: gate %v and up %v differ", o, s[0], s[1])
	}
	return s[0].Clone(), nil
}
func (o *SwiGLU) String() string        { return "SwiGLU" }
func (o *SwiGLU) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *SwiGLU) Hashcode() uint32      { return hashcode(o) }
func (o *SwiGLU) DiffWRT(int) []bool    { return []bool{true, true} }
func (o *SwiGLU) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	packed, err := gorgonia.ApplyOp(&SwiGLUGrad{}, in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	s := in[0].Shape()
	dgate, err := view(packed, 0, s...)
	if err != nil {
		return nil, err
	}
	dup, err := view(packed, s.TotalSize(), s...)
	return gorgonia.Nodes{dgate, dup}, err
}

// SwiGLUGrad takes (gate, up, dout) and returns dgate and dup packed.
type SwiGLUGrad struct{ gradOnly }

func (o *SwiGLUGrad) Arity() int    { return 3 }
func (o *SwiGLUGrad) Type() hm.Type { return hm.NewFnType(mat(), mat(), mat(), vecF()) }
func (o *SwiGLUGrad) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{2 * s[0].TotalSize()}, nil
}
func (o *SwiGLUGrad) String() string        { return "SwiGLUGrad" }
func (o *SwiGLUGrad) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *SwiGLUGrad) Hashcode() uint32      { return hashcode(o) }

// Residual is a + b, the residual stream's add. Its gradient passes through
// to both inputs unchanged.
type Residual struct{ base }

func (o *Residual) Arity() int    { return 2 }
func (o *Residual) Type() hm.Type { return hm.NewFnType(mat(), mat(), mat()) }
func (o *Residual) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	if !s[0].Eq(s[1]) {
		return nil, fmt.Errorf("%v: inputs %v and %v differ", o, s[0], s[1])
	}
	return s[0].Clone(), nil
}
func (o *Residual) String() string        { return "Residual" }
func (o *Residual) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *Residual) Hashcode() uint32      { return hashcode(o) }
func (o *Residual) DiffWRT(int) []bool    { return []bool{true, true} }
func (o *Residual) SymDiff(_ gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	return gorgonia.Nodes{grad, grad}, nil
}
