package model

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Embedding gathers rows of the table w [vocab, d] for ids [rows]: [rows, d].
type Embedding struct{ base }

func (o *Embedding) Arity() int    { return 2 }
func (o *Embedding) Type() hm.Type { return hm.NewFnType(mat(), vecI(), mat()) }
func (o *Embedding) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	if err := wantDims(o, 0, s[0], 2); err != nil {
		return nil, err
	}
	if err := wantDims(o, 1, s[1], 1); err != nil {
		return nil, err
	}
	return tensor.Shape{s[1][0], s[0][1]}, nil
}
func (o *Embedding) String() string        { return "Embedding" }
func (o *Embedding) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *Embedding) Hashcode() uint32      { return hashcode(o) }
func (o *Embedding) DiffWRT(int) []bool    { return []bool{true, false} }
func (o *Embedding) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	dw, err := gorgonia.ApplyOp(&EmbeddingGrad{Vocab: in[0].Shape()[0]}, in[1], grad)
	return gorgonia.Nodes{dw, nil}, err
}

// EmbeddingGrad scatters dout [rows, d] into a zeroed [Vocab, d] table at ids.
type EmbeddingGrad struct {
	gradOnly
	Vocab int
}

func (o *EmbeddingGrad) Arity() int    { return 2 }
func (o *EmbeddingGrad) Type() hm.Type { return hm.NewFnType(vecI(), mat(), mat()) }
func (o *EmbeddingGrad) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{o.Vocab, s[1][1]}, nil
}
func (o *EmbeddingGrad) String() string        { return fmt.Sprintf("EmbeddingGrad(%d)", o.Vocab) }
func (o *EmbeddingGrad) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *EmbeddingGrad) Hashcode() uint32      { return hashcode(o) }
