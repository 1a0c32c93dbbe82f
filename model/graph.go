package model

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Graph is the model (either family) unrolled as a gorgonia expression graph for a fixed
// batch size and sequence length. Rows of every activation are the
// batch*seq token positions, batch-major.
type Graph struct {
	Config     Config
	Batch, Seq int
	G          *gorgonia.ExprGraph

	IDs     *gorgonia.Node // input token ids [rows], int32
	Targets *gorgonia.Node // next-token targets [rows], int32; negative = ignored
	Specs   []ParamSpec    // the parameters, in ParamSpecs order
	Params  []*gorgonia.Node
	Logits  *gorgonia.Node // [rows, vocab]
	Loss    *gorgonia.Node // mean cross-entropy in nats, a scalar
	// Grads holds d Loss / d Params[i], built by gorgonia.Grad; nil for a
	// forward-only graph.
	Grads []*gorgonia.Node
}

// Rows is the number of token positions, batch*seq.
func (g *Graph) Rows() int { return g.Batch * g.Seq }

// Build unrolls c for batch sequences of seq tokens. With grads it also
// builds the backward graph through gorgonia.Grad.
func Build(c Config, batch, seq int, grads bool) (*Graph, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if batch <= 0 || seq <= 0 {
		return nil, fmt.Errorf("build: batch %d and sequence length %d must be positive", batch, seq)
	}
	if seq > c.MaxPositionEmbeddings {
		return nil, fmt.Errorf("build: sequence length %d is longer than max_position_embeddings %d", seq, c.MaxPositionEmbeddings)
	}
	g := &Graph{Config: c, Batch: batch, Seq: seq, G: gorgonia.NewGraph(), Specs: c.ParamSpecs()}
	rows := batch * seq
	g.IDs = gorgonia.NewVector(g.G, tensor.Int32, gorgonia.WithShape(rows), gorgonia.WithName("ids"))
	g.Targets = gorgonia.NewVector(g.G, tensor.Int32, gorgonia.WithShape(rows), gorgonia.WithName("targets"))
	byName := map[string]*gorgonia.Node{}
	for _, p := range g.Specs {
		var n *gorgonia.Node
		if len(p.Shape) == 1 {
			n = gorgonia.NewVector(g.G, tensor.Float32, gorgonia.WithShape(p.Shape...), gorgonia.WithName(p.Name))
		} else {
			n = gorgonia.NewMatrix(g.G, tensor.Float32, gorgonia.WithShape(p.Shape...), gorgonia.WithName(p.Name))
		}
		g.Params = append(g.Params, n)
		byName[p.Name] = n
	}
	forward := g.forward
	if c.Family == LSTM {
		forward = g.forwardLSTM
	}
	if err := forward(byName); err != nil {
		return nil, fmt.Errorf("build forward graph: %w", err)
	}
	if grads {
		var err error
		if g.Grads, err = gorgonia.Grad(g.Loss, g.Params...); err != nil {
			return nil, fmt.Errorf("build backward graph: %w", err)
		}
	}
	return g, nil
}

// builder applies ops and keeps the first error, so the forward pass reads
// as the model's equations.
type builder struct{ err error }

func (b *builder) op(op gorgonia.Op, in ...*gorgonia.Node) *gorgonia.Node {
	if b.err != nil {
		return nil
	}
	n, err := gorgonia.ApplyOp(op, in...)
	if err != nil {
		b.err = fmt.Errorf("%v: %w", op, err)
	}
	return n
}

// forward is the transformer's forward pass, Llama's: pre-norm blocks of causal GQA attention
// with RoPE and a SwiGLU MLP, each added to the residual stream; a final
// RMSNorm and the output head; the mean cross-entropy.
func (g *Graph) forward(p map[string]*gorgonia.Node) error {
	c := g.Config
	b := &builder{}
	eps := float32(c.RMSNormEps)
	hd := c.HeadDim()
	ropeQ := &RoPE{Seq: g.Seq, Heads: c.NumAttentionHeads, HeadDim: hd, Theta: c.RopeTheta}
	ropeK := &RoPE{Seq: g.Seq, Heads: c.NumKeyValueHeads, HeadDim: hd, Theta: c.RopeTheta}
	attn := &Attention{Batch: g.Batch, Seq: g.Seq, Heads: c.NumAttentionHeads, KVHeads: c.NumKeyValueHeads, HeadDim: hd}

	x := b.op(&Embedding{}, p[embedName], g.IDs)
	for i := 0; i < c.NumHiddenLayers; i++ {
		w := func(s string) *gorgonia.Node { return p[layerName(i, s)] }
		h := b.op(&RMSNorm{Eps: eps}, x, w(attnNorm))
		q := b.op(ropeQ, b.op(&Linear{}, h, w(wq)))
		k := b.op(ropeK, b.op(&Linear{}, h, w(wk)))
		v := b.op(&Linear{}, h, w(wv))
		a := b.op(attn, q, k, v)
		x = b.op(&Residual{}, x, b.op(&Linear{}, a, w(wo)))

		h = b.op(&RMSNorm{Eps: eps}, x, w(mlpNorm))
		act := b.op(&SwiGLU{}, b.op(&Linear{}, h, w(wGate)), b.op(&Linear{}, h, w(wUp)))
		x = b.op(&Residual{}, x, b.op(&Linear{}, act, w(wDown)))
	}
	x = b.op(&RMSNorm{Eps: eps}, x, p[normName])
	g.head(b, x, p)
	return b.err
}

// head sets the logits, x times the output head (the embedding when tied),
// and the mean cross-entropy against the targets: the end of every family's
// forward pass.
func (g *Graph) head(b *builder, x *gorgonia.Node, p map[string]*gorgonia.Node) {
	head := p[headName]
	if g.Config.TieWordEmbeddings {
		head = p[embedName]
	}
	g.Logits = b.op(&Linear{}, x, head)
	g.Loss = b.op(&CrossEntropy{}, g.Logits, g.Targets)
}
