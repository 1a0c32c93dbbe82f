package model

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Attention is causal scaled-dot-product attention with grouped-query heads:
// q [rows, Heads*HeadDim], k and v [rows, KVHeads*HeadDim], rows = Batch*Seq;
// query head h reads key/value head h/(Heads/KVHeads). It saves each query
// row's log-sum-exp for the backward pass.
type Attention struct {
	base
	Batch, Seq, Heads, KVHeads, HeadDim int
}

func (o *Attention) Arity() int    { return 3 }
func (o *Attention) Type() hm.Type { return hm.NewFnType(mat(), mat(), mat(), mat()) }
func (o *Attention) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	rows := o.Batch * o.Seq
	want := []tensor.Shape{{rows, o.Heads * o.HeadDim}, {rows, o.KVHeads * o.HeadDim}, {rows, o.KVHeads * o.HeadDim}}
	for i := range want {
		if !s[i].Eq(want[i]) {
			return nil, fmt.Errorf("%v: input %d has shape %v, want %v", o, i, s[i], want[i])
		}
	}
	return want[0], nil
}
func (o *Attention) String() string {
	return fmt.Sprintf("Attention(b=%d,seq=%d,heads=%d,kv=%d,hd=%d)", o.Batch, o.Seq, o.Heads, o.KVHeads, o.HeadDim)
}
func (o *Attention) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *Attention) Hashcode() uint32      { return hashcode(o) }
func (o *Attention) DiffWRT(int) []bool    { return []bool{true, true, true} }
func (o *Attention) SymDiff(in gorgonia.Nodes, out, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	packed, err := gorgonia.ApplyOp(&AttentionGrad{Attention: *o}, in[0], in[1], in[2], out, grad)
	if err != nil {
		return nil, err
	}
	rows, nq, nkv := o.Batch*o.Seq, o.Heads*o.HeadDim, o.KVHeads*o.HeadDim
	dq, err := view(packed, 0, rows, nq)
	if err != nil {
		return nil, err
	}
	dk, err := view(packed, rows*nq, rows, nkv)
	if err != nil {
		return nil, err
	}
	dv, err := view(packed, rows*(nq+nkv), rows, nkv)
	return gorgonia.Nodes{dq, dk, dv}, err
}

// AttentionGrad takes (q, k, v, the Attention node, dout) and returns dq, dk
// and dv packed one after the other.
type AttentionGrad struct {
	gradOnly
	Attention Attention
}

func (o *AttentionGrad) Arity() int { return 5 }
func (o *AttentionGrad) Type() hm.Type {
	return hm.NewFnType(mat(), mat(), mat(), mat(), mat(), vecF())
}
func (o *AttentionGrad) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0].TotalSize() + s[1].TotalSize() + s[2].TotalSize()}, nil
}
func (o *AttentionGrad) String() string        { return "Grad" + o.Attention.String() }
func (o *AttentionGrad) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *AttentionGrad) Hashcode() uint32      { return hashcode(o) }
