package infer

import (
	"errors"
	"fmt"
	"slices"
)

// prefillChunk is the most prompt tokens per sequence one prefill step
// feeds; longer prompts are fed in several steps, which bounds the
// activation memory.
const prefillChunk = 256

// Reasons a sequence stopped.
const (
	StopLength = "length" // MaxTokens were generated
	StopEnd    = "end"    // an end-of-text id was generated
	StopString = "stop"   // a stop string appeared in the text
)

// GenerateOptions say how much to generate and how.
type GenerateOptions struct {
	// MaxTokens is the most new tokens per prompt (flag -n).
	MaxTokens int
	Sampling  Sampling
	// EndIDs end a sequence when generated (the model's end-of-text);
	// the id is not part of the output.
	EndIDs []int32
	// Stop ends a sequence when its generated text contains one of these
	// strings; the text is cut before it. It needs the model's tokenizer.
	Stop []string
	// Truncate keeps the last tokens of a prompt too long for the context
	// instead of failing (flag -truncate).
	Truncate bool
	// OnToken, when set, is called with each generated token as it is
	// accepted (sequence index, id); an error stops generation.
	OnToken func(seq int, id int32) error
	// OnText, when set (the model must have a tokenizer), is called with
	// each piece of generated text as soon as it is safe to show: whole
	// UTF-8 characters, never part of a stop string. The pieces of one
	// sequence add up to its Text.
	OnText func(seq int, text []byte) error
}

// Generation is one prompt's continuation.
type Generation struct {
	IDs    []int32 // the generated tokens (an end id left out)
	Text   []byte  // their text cut before a stop string; nil without a tokenizer
	Reason string  // StopLength, StopEnd or StopString
}

// Generate continues each prompt, the prompts of different lengths in one
// batch: a prefill feeds the prompts through the model once, filling a
// per-layer KV cache, then each step feeds one token per sequence at its
// own position. The device work is a fixed schedule over buffers allocated
// once per call (see decoder).
func (m *Model) Generate(prompts [][]int32, opt GenerateOptions) ([]Generation, error) {
	prompts, err := m.checkGenerate(prompts, &opt)
	if err != nil {
		return nil, err
	}
	batch, vocab := len(prompts), m.Config.VocabSize
	gens := make([]Generation, batch)
	if opt.MaxTokens == 0 {
		return gens, nil
	}
	longest := 0
	for _, p := range prompts {
		longest = max(longest, len(p))
	}
	d, err := m.newStepper(batch, longest+opt.MaxTokens-1, min(longest, prefillChunk))
	if err != nil {
		return nil, err
	}
	defer d.free()

	samplers := make([]*sampler, batch)
	streams := make([]*textStream, batch)
	for b := range batch {
		samplers[b] = newSampler(opt.Sampling, vocab, uint64(b))
		samplers[b].observe(prompts[b]...)
		if m.Tokenizer != nil {
			streams[b] = &textStream{}
			for _, s := range opt.Stop {
				streams[b].stops = append(streams[b].stops, []byte(s))
			}
		}
		gens[b].IDs = make([]int32, 0, opt.MaxTokens)
	}
	first, err := d.prefill(prompts)
	if err != nil {
		return nil, err
	}
	ids, pos, last := make([]int32, batch), make([]int32, batch), make([]int32, batch)
	for b := range batch {
		pos[b] = int32(len(prompts[b])) - 1
		ids[b] = prompts[b][len(prompts[b])-1]
	}
	logits := first
	for step := range opt.MaxTokens {
		live := 0
		for b := range batch {
			if gens[b].Reason != "" {
				continue
			}
			next := samplers[b].next(logits[b*vocab : (b+1)*vocab])
			if err := m.accept(b, ids[b], next, &gens[b], streams[b], &opt); err != nil {
				return nil, err
			}
			samplers[b].observe(next)
			if gens[b].Reason == "" {
				live++
				ids[b], pos[b] = next, pos[b]+1
			}
			// A finished sequence feeds its last token again at its last
			// position: it only rewrites its own cache, which nothing reads.
		}
		if live == 0 || step == opt.MaxTokens-1 {
			break
		}
		if logits, err = d.forward(ids, pos, 1, last); err != nil {
			return nil, err
		}
	}
	for b := range batch {
		if gens[b].Reason == "" {
			gens[b].Reason = StopLength
		}
		if streams[b] != nil {
			if rest := streams[b].flush(); len(rest) > 0 && opt.OnText != nil {
				if err := opt.OnText(b, rest); err != nil {
					return nil, err
				}
			}
			gens[b].Text = streams[b].text
		}
	}
	return gens, nil
}

// accept records token id generated for sequence b after token prev and
// runs the callbacks.
func (m *Model) accept(b int, prev, id int32, g *Generation, ts *textStream, opt *GenerateOptions) error {
	if slices.Contains(opt.EndIDs, id) {
		g.Reason = StopEnd
		return nil
	}
	g.IDs = append(g.IDs, id)
	if opt.OnToken != nil {
		if err := opt.OnToken(b, id); err != nil {
			return err
		}
	}
	if ts == nil {
		return nil
	}
	tok, err := m.Tokenizer.Piece(prev, id)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	text, stop := ts.add(tok)
	if stop {
		g.Reason = StopString
	}
	if len(text) > 0 && opt.OnText != nil {
		return opt.OnText(b, text)
	}
	return nil
}

// checkGenerate validates the prompts and options, truncating prompts when
// opt.Truncate says so, and returns the prompts to run.
func (m *Model) checkGenerate(prompts [][]int32, opt *GenerateOptions) ([][]int32, error) {
	if len(prompts) == 0 {
		return nil, errors.New("no prompts")
	}
	if opt.MaxTokens < 0 {
		return nil, fmt.Errorf("flag -n %d: want a number of tokens >= 0", opt.MaxTokens)
	}
	if err := opt.Sampling.Validate(); err != nil {
		return nil, err
	}
	if (len(opt.Stop) > 0 || opt.OnText != nil) && m.Tokenizer == nil {
		return nil, errors.New("stop strings and streamed text need the model's tokenizer.json")
	}
	for i, s := range opt.Stop {
		if s == "" {
			return nil, fmt.Errorf("stop string %d is empty", i)
		}
	}
	ctx := m.Config.MaxPositionEmbeddings
	room := ctx - max(opt.MaxTokens-1, 0) // prompt tokens that fit with the new ones
	if room < 1 {
		return nil, fmt.Errorf("flag -n %d: more new tokens than the context of %d positions (max_position_embeddings) holds",
			opt.MaxTokens, ctx)
	}
	out := make([][]int32, len(prompts))
	for i, p := range prompts {
		if len(p) == 0 {
			return nil, fmt.Errorf("prompt %d is empty", i)
		}
		if err := m.checkIDs(p, fmt.Sprintf("prompt %d", i)); err != nil {
			return nil, err
		}
		if len(p) > room {
			if !opt.Truncate {
				return nil, fmt.Errorf("prompt %d has %d tokens; with %d new ones it needs %d positions, the context (max_position_embeddings) is %d: shorten it, lower -n or pass -truncate",
					i, len(p), opt.MaxTokens, len(p)+opt.MaxTokens-1, ctx)
			}
			p = p[len(p)-room:]
		}
		out[i] = p
	}
	return out, nil
}

// prefill feeds every prompt into the cache, in chunks of at most maxN
// tokens per sequence, and returns the logits after each prompt's last
// token, [batch, vocab]. A prompt shorter than the longest is padded with
// id 0 at the positions after its end: those rows write keys and values
// that only later rows of the same sequence could read, and decoding
// overwrites each of those positions before reading it.
func (d *decoder) prefill(prompts [][]int32) ([]float32, error) {
	vocab := d.m.Config.VocabSize
	longest := 0
	for _, p := range prompts {
		longest = max(longest, len(p))
	}
	out := make([]float32, d.batch*vocab)
	ids := make([]int32, d.batch*d.maxN)
	pos := make([]int32, d.batch*d.maxN)
	last := make([]int32, d.batch)
	for c0 := 0; c0 < longest; c0 += d.maxN {
		n := min(d.maxN, longest-c0)
		for b, p := range prompts {
			for i := range n {
				t := c0 + i
				ids[b*n+i], pos[b*n+i] = 0, int32(t)
				if t < len(p) {
					ids[b*n+i] = p[t]
				}
			}
			last[b] = int32(min(max(len(p)-1-c0, 0), n-1))
		}
		logits, err := d.forward(ids[:d.batch*n], pos[:d.batch*n], n, last)
		if err != nil {
			return nil, err
		}
		for b, p := range prompts {
			if end := len(p) - 1; end >= c0 && end < c0+n {
				copy(out[b*vocab:(b+1)*vocab], logits[b*vocab:(b+1)*vocab])
			}
		}
	}
	return out, nil
}
