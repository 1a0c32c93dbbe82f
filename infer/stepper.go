package infer

import (
	"fmt"

	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
)

// stepper is the forward pass Generate drives: prefill feeds the prompts
// and returns the logits after each prompt's last token ([batch, vocab]);
// forward feeds n tokens per sequence at the given positions and returns
// the logits of each sequence's row last[b]; free releases its memory. The
// transformer's is the KV-cache decoder; a model without one (the LSTM)
// uses windowDecoder.
type stepper interface {
	prefill(prompts [][]int32) ([]float32, error)
	forward(ids, pos []int32, n int, last []int32) ([]float32, error)
	free()
}

// newStepper returns the stepper for m's family, for batch sequences of up
// to maxSeq positions fed at most maxN tokens per step.
func (m *Model) newStepper(batch, maxSeq, maxN int) (stepper, error) {
	if m.Config.Family == model.LSTM {
		return m.newWindowDecoder(batch, maxSeq)
	}
	return m.newDecoder(batch, maxSeq, maxN)
}

// windowDecoder generates with the compiled forward program over every
// sequence's whole prefix, padded to maxSeq positions: each step reruns the
// window from the first token. A recurrent model reads only the past, so
// the padding after a prefix changes nothing before it, and the logits are
// exactly those of a forward pass over the prefix; the cost is a window of
// maxSeq positions per generated token.
type windowDecoder struct {
	m             *Model
	batch, maxSeq int
	prog          *kernels.Program
	ids, targets  []int32   // [batch*maxSeq]
	logits        []float32 // [batch*maxSeq, vocab]
	out           []float32 // [batch, vocab]
}

func (m *Model) newWindowDecoder(batch, maxSeq int) (*windowDecoder, error) {
	if batch <= 0 || maxSeq <= 0 || maxSeq > m.Config.MaxPositionEmbeddings {
		return nil, fmt.Errorf("decoder: batch %d and %d positions: want both positive, at most max_position_embeddings %d",
			batch, maxSeq, m.Config.MaxPositionEmbeddings)
	}
	p, err := m.program(batch, maxSeq)
	if err != nil {
		return nil, err
	}
	v := m.Config.VocabSize
	d := &windowDecoder{m: m, batch: batch, maxSeq: maxSeq, prog: p,
		ids: make([]int32, batch*maxSeq), targets: make([]int32, batch*maxSeq),
		logits: make([]float32, batch*maxSeq*v), out: make([]float32, batch*v)}
	for i := range d.targets {
		d.targets[i] = -1
	}
	return d, nil
}

// prefill writes the prompts into the window and runs it.
func (d *windowDecoder) prefill(prompts [][]int32) ([]float32, error) {
	last := make([]int32, d.batch)
	for b, p := range prompts {
		if len(p) > d.maxSeq {
			return nil, fmt.Errorf("decoder: prompt %d has %d tokens, the window %d", b, len(p), d.maxSeq)
		}
		copy(d.ids[b*d.maxSeq:], p)
		last[b] = int32(len(p) - 1)
	}
	return d.run(last)
}

// forward writes one new token per sequence at its position and reruns the
// window; last is ignored (each sequence's row is its position).
func (d *windowDecoder) forward(ids, pos []int32, n int, _ []int32) ([]float32, error) {
	if n != 1 || len(ids) != d.batch || len(pos) != d.batch {
		return nil, fmt.Errorf("decoder: %d ids and %d positions for batch %d x %d new tokens: want one token per sequence",
			len(ids), len(pos), d.batch, n)
	}
	for b, t := range pos {
		if t < 0 || int(t) >= d.maxSeq {
			return nil, fmt.Errorf("decoder: row %d at position %d outside the window's [0, %d)", b, t, d.maxSeq)
		}
		d.ids[b*d.maxSeq+int(t)] = ids[b]
	}
	return d.run(pos)
}

// run runs the window and returns the logits of row at[b] of each sequence.
func (d *windowDecoder) run(at []int32) ([]float32, error) {
	if err := d.prog.SetBatch(d.ids, d.targets); err != nil {
		return nil, err
	}
	d.prog.Run()
	if err := d.prog.Logits(d.logits); err != nil {
		return nil, err
	}
	v := d.m.Config.VocabSize
	for b, t := range at {
		row := b*d.maxSeq + int(t)
		copy(d.out[b*v:(b+1)*v], d.logits[row*v:(row+1)*v])
	}
	return d.out, nil
}

// free does nothing: the program belongs to the Model, which frees it.
func (d *windowDecoder) free() {}
