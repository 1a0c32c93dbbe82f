package model

import (
	"errors"
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The fused ops. Each forward op is a gorgonia.Op and a gorgonia.SDOp whose
// SymDiff builds its gradient out of other fused ops, so gorgonia.Grad turns
// a forward graph into a backward graph made of the same vocabulary. Every
// tensor is float32 except token ids and targets (int32). Activations are
// matrices [rows, width] with rows = batch*seq. The ops only describe the
// computation: package kernels compiles and runs them. An op whose backward
// produces several tensors returns them packed into one flat output, which
// View nodes then cut apart without copying.

// errEager is what Do returns: the ops carry no eager implementation, the
// graph runs through kernels.Executor.
var errEager = errors.New("plateau ops run through kernels.Executor, not a gorgonia VM")

// base holds the gorgonia.Op methods every fused op shares.
type base struct{}

func (base) ReturnsPtr() bool                             { return false }
func (base) CallsExtern() bool                            { return false }
func (base) OverwritesInput() int                         { return -1 }
func (base) Do(...gorgonia.Value) (gorgonia.Value, error) { return nil, errEager }

// gradOnly is embedded by ops that only appear in backward graphs: they are
// never differentiated again.
type gradOnly struct{ base }

func (gradOnly) DiffWRT(n int) []bool { return make([]bool, n) }
func (gradOnly) SymDiff(gorgonia.Nodes, *gorgonia.Node, *gorgonia.Node) (gorgonia.Nodes, error) {
	return nil, errors.New("backward ops have no second derivative")
}

// hashOp hashes an op by its String form, which names every attribute: two
// ops with equal strings compute the same function, so gorgonia may merge
// nodes that apply them to the same inputs.
func hashOp(h hash.Hash, op fmt.Stringer) { fmt.Fprintf(h, "plateau.%v", op) }

func hashcode(op fmt.Stringer) uint32 {
	h := fnv.New32a()
	hashOp(h, op)
	return h.Sum32()
}

// Types used in op signatures.
var (
	f32Scalar = tensor.Float32
)

func mat() hm.Type  { return gorgonia.TensorType{Dims: 2, Of: tensor.Float32} }
func vecF() hm.Type { return gorgonia.TensorType{Dims: 1, Of: tensor.Float32} }
func vecI() hm.Type { return gorgonia.TensorType{Dims: 1, Of: tensor.Int32} }

// shapes turns gorgonia's DimSizers into shapes.
func shapes(in []gorgonia.DimSizer) ([]tensor.Shape, error) {
	out := make([]tensor.Shape, len(in))
	for i, d := range in {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, fmt.Errorf("input %d: want a tensor.Shape, got %T", i, d)
		}
		out[i] = s
	}
	return out, nil
}

// wantDims checks that input i of op has the given number of dimensions.
func wantDims(op fmt.Stringer, i int, s tensor.Shape, dims int) error {
	if len(s) != dims {
		return fmt.Errorf("%v: input %d has shape %v, want %d dimensions", op, i, s, dims)
	}
	return nil
}

// View is a window of Shape at element Offset into a flat input: it is how
// the parts of a packed backward output are named. It copies nothing.
type View struct {
	gradOnly
	Offset int
	Shape  tensor.Shape
}

func (o *View) Arity() int { return 1 }
func (o *View) Type() hm.Type {
	return hm.NewFnType(vecF(), gorgonia.TensorType{Dims: len(o.Shape), Of: tensor.Float32})
}
func (o *View) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapes(in)
	if err != nil {
		return nil, err
	}
	if o.Offset < 0 || o.Offset+o.Shape.TotalSize() > s[0].TotalSize() {
		return nil, fmt.Errorf("%v: window past the end of an input of %d elements", o, s[0].TotalSize())
	}
	return o.Shape.Clone(), nil
}
func (o *View) String() string        { return fmt.Sprintf("View(%d,%v)", o.Offset, o.Shape) }
func (o *View) WriteHash(h hash.Hash) { hashOp(h, o) }
func (o *View) Hashcode() uint32      { return hashcode(o) }
func view(packed *gorgonia.Node, offset int, shape ...int) (*gorgonia.Node, error) {
	return gorgonia.ApplyOp(&View{Offset: offset, Shape: tensor.Shape(shape)}, packed)
}
