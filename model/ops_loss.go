package model

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CrossEntropy is the mean next-token loss in nats of logits [rows, vocab]
// against targets [rows]; rows whose target is negative are left out. It
// saves each row's log-sum-exp for the backward pass.
type CrossEntropy struct{ base }

func (o *CrossEntropy) Arity() int    { return 2 }
func (o *CrossEntropy) Type() hm.Type { return hm.NewFnType(mat(), vecI(), f32Scalar) }
func (o *CrossEntropy) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	if len(s[0]) != 2 || len(s[1]) != 1 || s[0][0] != s[1][0] {
		return nil, fmt.Errorf("%v: logits %v and targets %v, want [rows, vocab] and [rows]", o, s[0], s[1])
	}
	return tensor.ScalarShape(), nil
}
func (o *CrossEntropy) String() string        { return "CrossEntropy" }
func (o *CrossEntropy) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *CrossEntropy) Hashcode() uint32      { return hashcode(o) }
func (o *CrossEntropy) DiffWRT(int) []bool    { return []bool{true, false} }
func (o *CrossEntropy) SymDiff(in gorgonia.Nodes, out, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	d, err := gorgonia.ApplyOp(&CrossEntropyGrad{}, in[0], in[1], out, grad)
	return gorgonia.Nodes{d, nil}, err
}

// CrossEntropyGrad takes (logits, targets, the CrossEntropy node, dloss) and
// returns dlogits.
type CrossEntropyGrad struct{ gradOnly }

func (o *CrossEntropyGrad) Arity() int { return 4 }
func (o *CrossEntropyGrad) Type() hm.Type {
	return hm.NewFnType(mat(), vecI(), f32Scalar, f32Scalar, mat())
}
func (o *CrossEntropyGrad) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (o *CrossEntropyGrad) String() string        { return "CrossEntropyGrad" }
func (o *CrossEntropyGrad) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *CrossEntropyGrad) Hashcode() uint32      { return hashcode(o) }
