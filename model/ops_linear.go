package model

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Linear is x W^T for x [rows, in] and a weight stored as Hugging Face does,
// [out, in]: the result is [rows, out].
type Linear struct{ base }

func (o *Linear) Arity() int    { return 2 }
func (o *Linear) Type() hm.Type { return hm.NewFnType(mat(), mat(), mat()) }
func (o *Linear) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	if err := wantDims(o, 0, s[0], 2); err != nil {
		return nil, err
	}
	if err := wantDims(o, 1, s[1], 2); err != nil {
		return nil, err
	}
	if s[0][1] != s[1][1] {
		return nil, fmt.Errorf("%v: input width %d does not match weight %v ([out, in])", o, s[0][1], s[1])
	}
	return tensor.Shape{s[0][0], s[1][0]}, nil
}
func (o *Linear) String() string        { return "Linear" }
func (o *Linear) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *Linear) Hashcode() uint32      { return hashcode(o) }
func (o *Linear) DiffWRT(int) []bool    { return []bool{true, true} }
func (o *Linear) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	dx, err := gorgonia.ApplyOp(&LinearGradX{}, grad, in[1])
	if err != nil {
		return nil, err
	}
	dw, err := gorgonia.ApplyOp(&LinearGradW{}, grad, in[0])
	return gorgonia.Nodes{dx, dw}, err
}

// LinearGradX is dout W for dout [rows, out] and W [out, in]: [rows, in].
type LinearGradX struct{ gradOnly }

func (o *LinearGradX) Arity() int    { return 2 }
func (o *LinearGradX) Type() hm.Type { return hm.NewFnType(mat(), mat(), mat()) }
func (o *LinearGradX) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][0], s[1][1]}, nil
}
func (o *LinearGradX) String() string        { return "LinearGradX" }
func (o *LinearGradX) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *LinearGradX) Hashcode() uint32      { return hashcode(o) }

// LinearGradW is dout^T x for dout [rows, out] and x [rows, in]: [out, in].
type LinearGradW struct{ gradOnly }

func (o *LinearGradW) Arity() int    { return 2 }
func (o *LinearGradW) Type() hm.Type { return hm.NewFnType(mat(), mat(), mat()) }
func (o *LinearGradW) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][1], s[1][1]}, nil
}
func (o *LinearGradW) String() string        { return "LinearGradW" }
func (o *LinearGradW) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *LinearGradW) Hashcode() uint32      { return hashcode(o) }
