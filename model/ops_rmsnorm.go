package model

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RMSNorm normalises each row of x [rows, d] by its root mean square and
// scales by the gain w [d]. It saves 1/rms per row for the backward pass.
type RMSNorm struct {
	base
	Eps float32
}

func (o *RMSNorm) Arity() int    { return 2 }
func (o *RMSNorm) Type() hm.Type { return hm.NewFnType(mat(), vecF(), mat()) }
func (o *RMSNorm) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	if err := wantDims(o, 0, s[0], 2); err != nil {
		return nil, err
	}
	if len(s[1]) != 1 || s[1][0] != s[0][1] {
		return nil, fmt.Errorf("%v: gain has shape %v, want [%d]", o, s[1], s[0][1])
	}
	return s[0].Clone(), nil
}
func (o *RMSNorm) String() string        { return fmt.Sprintf("RMSNorm(%g)", o.Eps) }
func (o *RMSNorm) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *RMSNorm) Hashcode() uint32      { return hashcode(o) }
func (o *RMSNorm) DiffWRT(int) []bool    { return []bool{true, true} }
func (o *RMSNorm) SymDiff(in gorgonia.Nodes, out, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	rows, d := in[0].Shape()[0], in[0].Shape()[1]
	packed, err := gorgonia.ApplyOp(&RMSNormGrad{}, in[0], in[1], out, grad)
	if err != nil {
		return nil, err
	}
	dx, err := view(packed, 0, rows, d)
	if err != nil {
		return nil, err
	}
	dw, err := view(packed, rows*d, d)
	return gorgonia.Nodes{dx, dw}, err
}

// RMSNormGrad takes (x, w, the RMSNorm node, dout) and returns dx and dw
// packed as [rows*d + d].
type RMSNormGrad struct{ gradOnly }

func (o *RMSNormGrad) Arity() int    { return 4 }
func (o *RMSNormGrad) Type() hm.Type { return hm.NewFnType(mat(), vecF(), mat(), mat(), vecF()) }
func (o *RMSNormGrad) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0].TotalSize() + s[1].TotalSize()}, nil
}
func (o *RMSNormGrad) String() string        { return "RMSNormGrad" }
func (o *RMSNormGrad) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *RMSNormGrad) Hashcode() uint32      { return hashcode(o) }
