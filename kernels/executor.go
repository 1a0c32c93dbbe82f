package kernels

import (
	"fmt"
	"strings"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/plateau-lab/plateau/kernels/cpu"
	"github.com/plateau-lab/plateau/model"
)

// Options say what a compiled Program computes.
type Options struct {
	// Grads runs the backward graph and adds every parameter's gradient into
	// Weights.Grad (so micro-batches accumulate; zero Grad between steps).
	Grads bool
	// Logits keeps the logits readable after Run.
	Logits bool
}

// Program is a graph compiled for one device: a fixed list of kernel calls
// over buffers placed once in one activation arena. Running it allocates
// nothing.
type Program struct {
	dev   Device
	graph *model.Graph
	steps []func()

	ids, targets Buf
	loss, logits Buf
	owned        []Buf     // allocations Free releases
	host         []float32 // the loss, downloaded
	// hostLogits and hostLSE are RowLosses' buffers, made on first use.
	hostLogits, hostLSE []float32
	// ArenaElems is the size of the activation arena in float32 elements:
	// the peak memory of one forward (and backward) pass.
	ArenaElems int
}

// slot is where one graph node's value lives.
type slot struct {
	root  *gorgonia.Node // the node that owns the memory (itself unless a View)
	off   int            // element offset into root's buffer (Views)
	buf   Buf
	saved Buf // state a forward op keeps for its backward op (rstd, lse)
}

// savedSize is the number of elements of state a forward op keeps.
func savedSize(n *gorgonia.Node) int {
	switch op := n.Op().(type) {
	case *model.RMSNorm:
		return n.Shape()[0]
	case *model.Attention:
		return op.Batch * op.Heads * op.Seq
	case *model.CrossEntropy:
		return childrenOf(n)[0].Shape()[0]
	case *model.LSTMLayer:
		return lstmShape(op, childrenOf(n)[0]).SavedSize()
	case *model.LSTMLayerGrad: // working memory, planned like saved state
		return lstmShape(&op.Layer, childrenOf(n)[0]).ScratchSize()
	}
	return 0
}

// lstmShape is the kernel shape of an LSTM layer whose input is x.
func lstmShape(op *model.LSTMLayer, x *gorgonia.Node) cpu.LSTMShape {
	return cpu.LSTMShape{Batch: op.Batch, Seq: op.Seq, In: x.Shape()[1], Hidden: op.Hidden}
}

// childrenOf returns n's inputs in order.
func childrenOf(n *gorgonia.Node) []*gorgonia.Node {
	it := n.Graph().From(n.ID())
	var out []*gorgonia.Node
	for it.Next() {
		out = append(out, it.Node().(*gorgonia.Node))
	}
	return out
}

// isGorgoniaAdd reports whether op is gorgonia's elementwise addition, which
// gorgonia.Grad inserts to sum the gradients of a node used more than once.
func isGorgoniaAdd(op gorgonia.Op) bool {
	return fmt.Sprintf("%T", op) == "gorgonia.elemBinOp" && strings.HasPrefix(op.String(), "+")
}

// Compile plans g for dev with the parameters in w.
func Compile(dev Device, g *model.Graph, w *Weights, opt Options) (*Program, error) {
	if opt.Grads && g.Grads == nil {
		return nil, fmt.Errorf("compile: the graph was built without gradients")
	}
	if opt.Grads && len(w.Grad) != len(w.Specs) {
		return nil, fmt.Errorf("compile: the weights were made for inference, without gradient accumulators")
	}
	if len(w.Specs) != len(g.Specs) {
		return nil, fmt.Errorf("compile: weights hold %d tensors, the graph has %d parameters", len(w.Specs), len(g.Specs))
	}
	p := &Program{dev: dev, graph: g, host: make([]float32, 1)}
	c := &compiler{p: p, w: w, slots: map[*gorgonia.Node]*slot{}, params: map[*gorgonia.Node]int{}, rope: map[[2]int][2]Buf{}}
	if err := c.run(opt); err != nil {
		p.Free()
		return nil, fmt.Errorf("compile %s for %s: %w", describe(g), dev.Name(), err)
	}
	return p, nil
}

func describe(g *model.Graph) string {
	return fmt.Sprintf("batch %d x seq %d (d %d, %d layers, vocab %d)", g.Batch, g.Seq,
		g.Config.HiddenSize, g.Config.NumHiddenLayers, g.Config.VocabSize)
}

// compiler holds the state of one Compile call.
type compiler struct {
	p      *Program
	w      *Weights
	slots  map[*gorgonia.Node]*slot
	params map[*gorgonia.Node]int // parameter node -> index in Specs
	rope   map[[2]int][2]Buf      // (seq, head dim) -> cos, sin tables
}

// event is one entry of the schedule: a node to compute, or a gradient to
// add into its accumulator.
type event struct {
	node  *gorgonia.Node
	accum int // >= 0: add node's value into Weights.Grad[accum]
}

func (c *compiler) run(opt Options) error {
	g, dev := c.p.graph, c.p.dev
	for i, n := range g.Params {
		c.params[n] = i
	}
	wanted := []*gorgonia.Node{g.Loss}
	if opt.Logits {
		wanted = append(wanted, g.Logits)
	}
	gradOf := map[*gorgonia.Node][]int{}
	if opt.Grads {
		for i, n := range g.Grads {
			wanted = append(wanted, n)
			gradOf[n] = append(gradOf[n], i)
		}
	}
	needed := map[*gorgonia.Node]bool{}
	var visit func(n *gorgonia.Node)
	visit = func(n *gorgonia.Node) {
		if needed[n] {
			return
		}
		needed[n] = true
		for _, ch := range childrenOf(n) {
			visit(ch)
		}
	}
	for _, n := range wanted {
		visit(n)
	}
	sorted, err := gorgonia.Sort(g.G)
	if err != nil {
		return err
	}

	// The schedule, inputs first; each parameter gradient is accumulated as
	// soon as it is computed, so its buffer can be reused right away.
	var events []event
	for i := len(sorted) - 1; i >= 0; i-- {
		n := sorted[i]
		if !needed[n] {
			continue
		}
		if err := c.classify(n); err != nil {
			return err
		}
		if n.Op() != nil && !isConstant(n) {
			events = append(events, event{node: n, accum: -1})
		}
		for _, pi := range gradOf[n] {
			events = append(events, event{node: n, accum: pi})
		}
	}

	// Lifetimes of the planned buffers, in event positions.
	birth, death := map[*gorgonia.Node]int{}, map[*gorgonia.Node]int{}
	for i, e := range events {
		r := c.slots[e.node].root
		if e.accum < 0 && r == e.node && c.planned(r) {
			birth[r] = i
			death[r] = i
		}
		uses := []*gorgonia.Node{e.node}
		if e.accum < 0 {
			uses = childrenOf(e.node)
		}
		for _, ch := range uses {
			if r := c.slots[ch].root; c.planned(r) && death[r] < i {
				death[r] = i
			}
		}
	}
	for _, n := range []*gorgonia.Node{g.Loss, g.Logits} {
		if needed[n] {
			death[c.slots[n].root] = len(events)
		}
	}

	// Place them in the arena: outputs of an event are placed before the
	// inputs that die at it are released, so no kernel reads and writes one
	// buffer.
	type placed struct{ off, saved int }
	where := map[*gorgonia.Node]placed{}
	dying := map[int][]*gorgonia.Node{}
	for n, d := range death {
		dying[d] = append(dying[d], n)
	}
	ids := map[*gorgonia.Node]int{}
	var arena arenaPlan
	for i, e := range events {
		n := e.node
		if b, ok := birth[n]; ok && b == i && e.accum < 0 {
			id := 2 * (len(ids) + 1)
			ids[n] = id
			pl := placed{off: arena.place(n.Shape().TotalSize(), id), saved: -1}
			if s := savedSize(n); s > 0 {
				pl.saved = arena.place(s, id+1)
			}
			where[n] = pl
		}
		for _, d := range dying[i] {
			arena.release(ids[d])
			arena.release(ids[d] + 1)
		}
	}
	c.p.ArenaElems = arena.size
	if arena.size > 0 {
		buf, err := dev.Alloc(arena.size, F32)
		if err != nil {
			return fmt.Errorf("activations: %w", err)
		}
		c.p.owned = append(c.p.owned, buf)
		for n, pl := range where {
			s := c.slots[n]
			s.buf = buf.Slice(pl.off, n.Shape().TotalSize())
			if pl.saved >= 0 {
				s.saved = buf.Slice(pl.saved, savedSize(n))
			}
		}
	}
	// Views resolve to their roots' memory.
	for n, s := range c.slots {
		if s.root != n {
			s.buf = c.slots[s.root].buf.Slice(s.off, n.Shape().TotalSize())
		}
	}
	c.p.loss = c.slots[g.Loss].buf
	if opt.Logits {
		c.p.logits = c.slots[g.Logits].buf
	}
	for _, e := range events {
		step, err := c.step(e)
		if err != nil {
			return err
		}
		if step != nil {
			c.p.steps = append(c.p.steps, step)
		}
	}
	return nil
}

func isConstant(n *gorgonia.Node) bool {
	_, ok := n.Op().(interface{ Value() gorgonia.Value })
	return ok
}

// planned reports whether n's memory comes from the activation arena.
func (c *compiler) planned(n *gorgonia.Node) bool {
	s := c.slots[n]
	return s != nil && s.root == n && n.Op() != nil && !isConstant(n)
}

// classify gives n its slot: parameters, inputs and constants get their
// buffers now; Views point into their input; everything else is planned.
func (c *compiler) classify(n *gorgonia.Node) error {
	g, dev := c.p.graph, c.p.dev
	s := &slot{root: n}
	c.slots[n] = s
	switch {
	case n.Op() == nil:
		if i, ok := c.params[n]; ok {
			s.buf = c.w.W[i]
			return nil
		}
		if n != g.IDs && n != g.Targets {
			return fmt.Errorf("input %q is neither a parameter nor the ids or targets", n.Name())
		}
		b, err := c.alloc(n.Shape().TotalSize(), I32)
		if err != nil {
			return err
		}
		s.buf = b
		if n == g.IDs {
			c.p.ids = b
		} else {
			c.p.targets = b
		}
	case isConstant(n):
		v := n.Op().(interface{ Value() gorgonia.Value }).Value()
		data, err := constantData(v)
		if err != nil {
			return fmt.Errorf("constant %v: %w", n, err)
		}
		b, err := c.alloc(len(data), F32)
		if err != nil {
			return err
		}
		s.buf = b
		return dev.Upload(b, data)
	default:
		if v, ok := n.Op().(*model.View); ok {
			in := c.slots[childrenOf(n)[0]]
			s.root, s.off = in.root, in.off+v.Offset
		}
	}
	return nil
}

// constantData reads a float32 constant, scalar or tensor.
func constantData(v gorgonia.Value) ([]float32, error) {
	switch x := v.(type) {
	case *gorgonia.F32:
		return []float32{float32(*x)}, nil
	case *tensor.Dense:
		if d, ok := x.Data().([]float32); ok {
			return append([]float32(nil), d...), nil
		}
	}
	return nil, fmt.Errorf("unsupported constant %T (want float32)", v)
}

func (c *compiler) alloc(n int, dt DType) (Buf, error) {
	b, err := c.p.dev.Alloc(n, dt)
	if err == nil {
		c.p.owned = append(c.p.owned, b)
	}
	return b, err
}

// ropeTables uploads the cos and sin tables for one RoPE op, once per shape
// (every layer of a model shares one theta).
func (c *compiler) ropeTables(op *model.RoPE) (cos, sin Buf, err error) {
	key := [2]int{op.Seq, op.HeadDim}
	if t, ok := c.rope[key]; ok {
		return t[0], t[1], nil
	}
	cs, sn := cpu.RoPETables(op.Seq, op.HeadDim, op.Theta)
	if cos, err = c.alloc(len(cs), F32); err != nil {
		return cos, sin, err
	}
	if sin, err = c.alloc(len(sn), F32); err != nil {
		return cos, sin, err
	}
	if err = c.p.dev.Upload(cos, cs); err == nil {
		err = c.p.dev.Upload(sin, sn)
	}
	if err == nil {
		c.rope[key] = [2]Buf{cos, sin}
	}
	return cos, sin, err
}

// step turns one event into a kernel call with every argument bound.
func (c *compiler) step(e event) (func(), error) {
	d := c.p.dev
	n := e.node
	out := c.slots[n]
	if e.accum >= 0 {
		acc, src := c.w.Grad[e.accum], out.buf
		return func() { d.Axpy(acc, 1, src) }, nil
	}
	ch := childrenOf(n)
	in := make([]Buf, len(ch))
	for i, x := range ch {
		in[i] = c.slots[x].buf
	}
	y := out.buf
	shape := func(i int) tensor.Shape { return ch[i].Shape() }
	switch op := n.Op().(type) {
	case *model.View:
		return nil, nil
	case *model.Embedding:
		rows, dim := n.Shape()[0], n.Shape()[1]
		return func() { d.EmbeddingForward(y, in[0], in[1], rows, dim) }, nil
	case *model.EmbeddingGrad:
		rows, dim := shape(1)[0], shape(1)[1]
		return func() { d.EmbeddingBackward(y, in[0], in[1], rows, dim) }, nil
	case *model.RMSNorm:
		rows, dim, eps, rstd := n.Shape()[0], n.Shape()[1], op.Eps, out.saved
		return func() { d.RMSNormForward(y, rstd, in[0], in[1], rows, dim, eps) }, nil
	case *model.RMSNormGrad:
		rows, dim := shape(0)[0], shape(0)[1]
		dx, dw, rstd := y.Slice(0, rows*dim), y.Slice(rows*dim, dim), c.slots[ch[2]].saved
		return func() { d.RMSNormBackward(dx, dw, in[0], in[1], rstd, in[3], rows, dim) }, nil
	case *model.Linear: // y = x W^T
		rows, outF, inF := shape(0)[0], shape(1)[0], shape(1)[1]
		return func() { d.Gemm(false, true, rows, outF, inF, 1, in[0], in[1], 0, y) }, nil
	case *model.LinearGradX: // dx = dout W
		rows, outF, inF := shape(0)[0], shape(1)[0], shape(1)[1]
		return func() { d.Gemm(false, false, rows, inF, outF, 1, in[0], in[1], 0, y) }, nil
	case *model.LinearGradW: // dW = dout^T x
		rows, outF, inF := shape(0)[0], shape(0)[1], shape(1)[1]
		return func() { d.Gemm(true, false, outF, inF, rows, 1, in[0], in[1], 0, y) }, nil
	case *model.RoPE:
		cos, sin, err := c.ropeTables(op)
		if err != nil {
			return nil, err
		}
		rows, o := n.Shape()[0], *op
		return func() { d.RoPE(y, in[0], cos, sin, rows, o.Seq, o.Heads, o.HeadDim, o.Inverse) }, nil
	case *model.Attention:
		o, lse := *op, out.saved
		return func() { d.AttentionForward(y, lse, in[0], in[1], in[2], o.Batch, o.Seq, o.Heads, o.KVHeads, o.HeadDim) }, nil
	case *model.AttentionGrad:
		o := op.Attention
		nq, nkv := in[0].N, in[1].N
		dq, dk, dv := y.Slice(0, nq), y.Slice(nq, nkv), y.Slice(nq+nkv, nkv)
		fwd := c.slots[ch[3]]
		return func() {
			d.AttentionBackward(dq, dk, dv, in[0], in[1], in[2], fwd.buf, fwd.saved, in[4], o.Batch, o.Seq, o.Heads, o.KVHeads, o.HeadDim)
		}, nil
	case *model.SwiGLU:
		return func() { d.SwiGLUForward(y, in[0], in[1]) }, nil
	case *model.SwiGLUGrad:
		m := in[0].N
		dg, du := y.Slice(0, m), y.Slice(m, m)
		return func() { d.SwiGLUBackward(dg, du, in[0], in[1], in[2]) }, nil
	case *model.Residual:
		return func() { d.Add(y, in[0], in[1]) }, nil
	case *model.LSTMLayer:
		s, saved := lstmShape(op, ch[0]), out.saved
		return func() { d.LSTMForward(y, saved, in[0], in[1], in[2], in[3], s.Batch, s.Seq, s.In, s.Hidden) }, nil
	case *model.LSTMLayerGrad:
		s, scratch, fwd := lstmShape(&op.Layer, ch[0]), out.saved, c.slots[ch[3]]
		dx, rest := y.Slice(0, in[0].N), y.Slice(in[0].N, y.N-in[0].N)
		dwih, rest := rest.Slice(0, in[1].N), rest.Slice(in[1].N, rest.N-in[1].N)
		dwhh, db := rest.Slice(0, in[2].N), rest.Slice(in[2].N, rest.N-in[2].N)
		return func() {
			d.LSTMBackward(dx, dwih, dwhh, db, scratch, in[0], in[1], in[2], fwd.buf, fwd.saved, in[4],
				s.Batch, s.Seq, s.In, s.Hidden)
		}, nil
	case *model.CrossEntropy:
		rows, vocab, lse := shape(0)[0], shape(0)[1], out.saved
		return func() { d.CrossEntropyForward(y, lse, in[0], in[1], rows, vocab) }, nil
	case *model.CrossEntropyGrad:
		rows, vocab, lse := shape(0)[0], shape(0)[1], c.slots[ch[2]].saved
		return func() { d.CrossEntropyBackward(y, in[0], lse, in[1], in[3], rows, vocab) }, nil
	default:
		if isGorgoniaAdd(op) && len(in) == 2 && in[0].N == y.N && in[1].N == y.N {
			return func() { d.Add(y, in[0], in[1]) }, nil
		}
	}
	return nil, fmt.Errorf("node %v: op %v (%T) has no kernel", n.Name(), n.Op(), n.Op())
}

// SetBatch uploads token ids and targets ([batch*seq] each, batch-major).
// An id outside the vocabulary is an error naming its position; a negative
// target marks a position the loss leaves out.
func (p *Program) SetBatch(ids, targets []int32) error {
	rows, vocab := p.graph.Rows(), int32(p.graph.Config.VocabSize)
	if len(ids) != rows || len(targets) != rows {
		return fmt.Errorf("set batch: got %d ids and %d targets, want %d (batch %d x seq %d)", len(ids), len(targets), rows, p.graph.Batch, p.graph.Seq)
	}
	for i, id := range ids {
		if id < 0 || id >= vocab {
			return fmt.Errorf("set batch: id %d at position %d is outside the vocabulary [0, %d)", id, i, vocab)
		}
		if targets[i] >= vocab {
			return fmt.Errorf("set batch: target %d at position %d is outside the vocabulary [0, %d)", targets[i], i, vocab)
		}
	}
	if err := p.dev.UploadInt32(p.ids, ids); err != nil {
		return err
	}
	return p.dev.UploadInt32(p.targets, targets)
}

// Run queues the whole schedule on the device. Errors surface at the next
// Sync, Loss or Logits.
func (p *Program) Run() {
	for _, s := range p.steps {
		s()
	}
}

// LossBuf is the device buffer that holds the loss after Run.
func (p *Program) LossBuf() Buf { return p.loss }

// Loss waits for the device and returns the loss of the last Run.
func (p *Program) Loss() (float32, error) {
	v := p.host
	if err := p.dev.Download(v, p.loss); err != nil {
		return 0, err
	}
	if err := p.dev.Sync(); err != nil {
		return 0, err
	}
	return v[0], nil
}

// Logits copies the logits of the last Run ([batch*seq, vocab]) into dst.
func (p *Program) Logits(dst []float32) error {
	if !p.logits.Valid() {
		return fmt.Errorf("logits: program compiled without Options.Logits")
	}
	if err := p.dev.Download(dst, p.logits); err != nil {
		return err
	}
	return p.dev.Sync()
}

// Graph returns the graph the program was compiled from.
func (p *Program) Graph() *model.Graph { return p.graph }

// Steps is the number of kernel calls in one Run.
func (p *Program) Steps() int { return len(p.steps) }

// Free releases the program's device memory (not the Weights).
func (p *Program) Free() {
	for _, b := range p.owned {
		p.dev.Free(b)
	}
	p.owned = nil
}
