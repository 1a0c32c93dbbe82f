package infer

import (
	"fmt"

	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/kernels/cpu"
)

// layerWeights are one transformer block's parameters on the device.
type layerWeights struct {
	attnNorm, wq, wk, wv, wo, mlpNorm, gate, up, down kernels.Buf
}

// decoder is the model's forward pass with a KV cache, for generation: a
// fixed schedule of Device kernel calls over buffers allocated once, for
// batch sequences of up to maxSeq positions fed up to maxN tokens each per
// step (the prompt in chunks at prefill, then one token per step). Like
// llama2.c's RunState, all its memory is allocated by newDecoder, and a
// step allocates nothing.
type decoder struct {
	m                   *Model
	batch, maxSeq, maxN int

	embed, norm, head kernels.Buf
	layers            []layerWeights

	kCache, vCache []kernels.Buf // per layer, [batch, maxSeq, kvDim]
	cos, sin       kernels.Buf   // RoPE tables, [maxSeq, hd/2]

	// Activations, [batch*maxN, width] each.
	x, h, q, k, v, att, proj, gate, up, act, rstd kernels.Buf
	// The last row of each sequence, gathered, normalised and projected.
	xl, hl, rstdl, logits kernels.Buf
	ids, pos, last        kernels.Buf // I32: [batch*maxN], [batch*maxN], [batch]

	owned      []kernels.Buf
	hostLogits []float32 // [batch, vocab]
	hostLast   []int32   // [batch]
}

// newDecoder allocates the cache and activations for batch sequences of up
// to maxSeq positions, fed at most maxN tokens per sequence per step.
func (m *Model) newDecoder(batch, maxSeq, maxN int) (*decoder, error) {
	c := m.Config
	if batch <= 0 || maxN <= 0 || maxSeq <= 0 {
		return nil, fmt.Errorf("decoder: batch %d, maxSeq %d and maxN %d must be positive", batch, maxSeq, maxN)
	}
	if maxSeq > c.MaxPositionEmbeddings {
		return nil, fmt.Errorf("decoder: %d positions, more than max_position_embeddings %d", maxSeq, c.MaxPositionEmbeddings)
	}
	d := &decoder{m: m, batch: batch, maxSeq: maxSeq, maxN: maxN}
	if err := d.bindWeights(); err != nil {
		return nil, err
	}
	dim, kv, f, hd := c.HiddenSize, c.KVDim(), c.IntermediateSize, c.HeadDim()
	rows := batch * maxN
	cacheRows := batch * maxSeq * kv
	// One allocation for the caches, one for the activations, one for ids.
	caches, err := d.alloc(2*c.NumHiddenLayers*cacheRows, kernels.F32)
	if err != nil {
		return nil, err
	}
	for l := range c.NumHiddenLayers {
		d.kCache = append(d.kCache, caches.Slice((2*l)*cacheRows, cacheRows))
		d.vCache = append(d.vCache, caches.Slice((2*l+1)*cacheRows, cacheRows))
	}
	sizes := []struct {
		b *kernels.Buf
		n int
	}{
		{&d.x, rows * dim}, {&d.h, rows * dim}, {&d.q, rows * dim}, {&d.k, rows * kv}, {&d.v, rows * kv},
		{&d.att, rows * dim}, {&d.proj, rows * dim}, {&d.gate, rows * f}, {&d.up, rows * f}, {&d.act, rows * f},
		{&d.rstd, rows}, {&d.xl, batch * dim}, {&d.hl, batch * dim}, {&d.rstdl, batch},
		{&d.logits, batch * c.VocabSize}, {&d.cos, maxSeq * hd / 2}, {&d.sin, maxSeq * hd / 2},
	}
	total := 0
	for _, s := range sizes {
		total += s.n
	}
	arena, err := d.alloc(total, kernels.F32)
	if err != nil {
		d.free()
		return nil, err
	}
	off := 0
	for _, s := range sizes {
		*s.b = arena.Slice(off, s.n)
		off += s.n
	}
	ints, err := d.alloc(2*rows+batch, kernels.I32)
	if err != nil {
		d.free()
		return nil, err
	}
	d.ids, d.pos, d.last = ints.Slice(0, rows), ints.Slice(rows, rows), ints.Slice(2*rows, batch)
	cs, sn := cpu.RoPETables(maxSeq, hd, c.RopeTheta)
	if err := m.dev.Upload(d.cos, cs); err == nil {
		err = m.dev.Upload(d.sin, sn)
	}
	if err != nil {
		d.free()
		return nil, fmt.Errorf("decoder: upload RoPE tables: %w", err)
	}
	d.hostLogits = make([]float32, batch*c.VocabSize)
	d.hostLast = make([]int32, batch)
	return d, nil
}

// alloc allocates n elements that free releases.
func (d *decoder) alloc(n int, dt kernels.DType) (kernels.Buf, error) {
	b, err := d.m.dev.Alloc(n, dt)
	if err != nil {
		return b, fmt.Errorf("decoder: allocate %d %s elements for batch %d x %d positions: %w", n, dt, d.batch, d.maxSeq, err)
	}
	d.owned = append(d.owned, b)
	return b, nil
}

// free releases the decoder's device memory.
func (d *decoder) free() {
	for _, b := range d.owned {
		d.m.dev.Free(b)
	}
	d.owned = nil
}

// bindWeights finds each parameter's buffer by its Hugging Face name.
func (d *decoder) bindWeights() error {
	c := d.m.Config
	byName := map[string]kernels.Buf{}
	for i, p := range d.m.w.Specs {
		byName[p.Name] = d.m.w.W[i]
	}
	var missing []string
	get := func(name string) kernels.Buf {
		b, ok := byName[name]
		if !ok {
			missing = append(missing, name)
		}
		return b
	}
	d.embed = get("model.embed_tokens.weight")
	d.norm = get("model.norm.weight")
	if c.TieWordEmbeddings {
		d.head = d.embed
	} else {
		d.head = get("lm_head.weight")
	}
	for l := range c.NumHiddenLayers {
		p := func(s string) kernels.Buf { return get(fmt.Sprintf("model.layers.%d.%s", l, s)) }
		d.layers = append(d.layers, layerWeights{
			attnNorm: p("input_layernorm.weight"),
			wq:       p("self_attn.q_proj.weight"),
			wk:       p("self_attn.k_proj.weight"),
			wv:       p("self_attn.v_proj.weight"),
			wo:       p("self_attn.o_proj.weight"),
			mlpNorm:  p("post_attention_layernorm.weight"),
			gate:     p("mlp.gate_proj.weight"),
			up:       p("mlp.up_proj.weight"),
			down:     p("mlp.down_proj.weight"),
		})
	}
	if missing != nil {
		return fmt.Errorf("decoder: the model has no parameters %v", missing)
	}
	return nil
}

// forward feeds n tokens per sequence: ids and pos hold batch*n entries,
// row b*n+i being token ids[b*n+i] of sequence b at position pos[b*n+i],
// and last[b] is the row within sequence b (0 <= last[b] < n) whose logits
// are wanted. It writes those rows' keys and values into the cache, and
// returns the logits, [batch, vocab], in a buffer reused by the next call.
// Positions outside [0, maxSeq) and last rows outside [0, n) are errors
// found before any device work (a device may not check them).
func (d *decoder) forward(ids, pos []int32, n int, last []int32) ([]float32, error) {
	c := d.m.Config
	dev := d.m.dev
	rows := d.batch * n
	if n <= 0 || n > d.maxN || len(ids) != rows || len(pos) != rows || len(last) != d.batch {
		return nil, fmt.Errorf("decoder: %d ids, %d positions and %d last rows for batch %d x %d new tokens (at most %d)",
			len(ids), len(pos), len(last), d.batch, n, d.maxN)
	}
	for r, t := range pos {
		if t < 0 || int(t) >= d.maxSeq {
			return nil, fmt.Errorf("decoder: row %d at position %d outside the cache's [0, %d)", r, t, d.maxSeq)
		}
	}
	for b, i := range last {
		if i < 0 || int(i) >= n {
			return nil, fmt.Errorf("decoder: last row %d of sequence %d outside [0, %d)", i, b, n)
		}
		d.hostLast[b] = int32(b*n) + i
	}
	dim, kv, f := c.HiddenSize, c.KVDim(), c.IntermediateSize
	heads, kvHeads, hd := c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim()
	eps := float32(c.RMSNormEps)
	idb, pb := d.ids.Slice(0, rows), d.pos.Slice(0, rows)
	if err := dev.UploadInt32(idb, ids); err != nil {
		return nil, err
	}
	if err := dev.UploadInt32(pb, pos); err != nil {
		return nil, err
	}
	x, h, rstd := d.x.Slice(0, rows*dim), d.h.Slice(0, rows*dim), d.rstd.Slice(0, rows)
	q, k, v := d.q.Slice(0, rows*dim), d.k.Slice(0, rows*kv), d.v.Slice(0, rows*kv)
	att, proj := d.att.Slice(0, rows*dim), d.proj.Slice(0, rows*dim)
	gate, up, act := d.gate.Slice(0, rows*f), d.up.Slice(0, rows*f), d.act.Slice(0, rows*f)

	dev.EmbeddingForward(x, d.embed, idb, rows, dim)
	for l, w := range d.layers {
		dev.RMSNormForward(h, rstd, x, w.attnNorm, rows, dim, eps)
		dev.Gemm(false, true, rows, dim, dim, 1, h, w.wq, 0, q)
		dev.Gemm(false, true, rows, kv, dim, 1, h, w.wk, 0, k)
		dev.Gemm(false, true, rows, kv, dim, 1, h, w.wv, 0, v)
		dev.RoPEAt(q, q, d.cos, d.sin, pb, rows, heads, hd)
		dev.RoPEAt(k, k, d.cos, d.sin, pb, rows, kvHeads, hd)
		dev.CacheWrite(d.kCache[l], k, pb, d.batch, n, d.maxSeq, kv)
		dev.CacheWrite(d.vCache[l], v, pb, d.batch, n, d.maxSeq, kv)
		dev.AttentionCached(att, q, d.kCache[l], d.vCache[l], pb, d.batch, n, d.maxSeq, heads, kvHeads, hd)
		dev.Gemm(false, true, rows, dim, dim, 1, att, w.wo, 0, proj)
		dev.Add(x, x, proj)

		dev.RMSNormForward(h, rstd, x, w.mlpNorm, rows, dim, eps)
		dev.Gemm(false, true, rows, f, dim, 1, h, w.gate, 0, gate)
		dev.Gemm(false, true, rows, f, dim, 1, h, w.up, 0, up)
		dev.SwiGLUForward(act, gate, up)
		dev.Gemm(false, true, rows, dim, f, 1, act, w.down, 0, proj)
		dev.Add(x, x, proj)
	}
	xl := x
	if n > 1 {
		// Gather each sequence's wanted row: an embedding lookup whose
		// table is x and whose ids are the rows.
		if err := dev.UploadInt32(d.last, d.hostLast); err != nil {
			return nil, err
		}
		xl = d.xl
		dev.EmbeddingForward(xl, x, d.last, d.batch, dim)
	}
	dev.RMSNormForward(d.hl, d.rstdl, xl, d.norm, d.batch, dim, eps)
	dev.Gemm(false, true, d.batch, c.VocabSize, dim, 1, d.hl, d.head, 0, d.logits)
	if err := dev.Download(d.hostLogits, d.logits); err != nil {
		return nil, err
	}
	if err := dev.Sync(); err != nil {
		return nil, fmt.Errorf("decoder: %w", err)
	}
	return d.hostLogits, nil
}
