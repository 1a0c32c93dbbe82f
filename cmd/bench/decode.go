package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/plateau-lab/plateau/infer"
	"github.com/plateau-lab/plateau/kernels/devices"
	"github.com/plateau-lab/plateau/model"
)

// DecodeResult is the JSON line bench -decode prints.
type DecodeResult struct {
	Impl        string  `json:"impl"`
	Device      string  `json:"device"`
	Threads     int     `json:"threads"`
	Vocab       int     `json:"vocab"`
	D           int     `json:"d"`
	Hidden      int     `json:"hidden"`
	Layers      int     `json:"layers"`
	Heads       int     `json:"heads"`
	KVHeads     int     `json:"kv_heads"`
	Tied        bool    `json:"tied"`
	Batch       int     `json:"batch"`
	Params      int64   `json:"params"`
	Tokens      int     `json:"tokens"`
	DecodeTokS  float64 `json:"decode_tok_s"`  // generated tokens/s per sequence times batch
	PrefillTokS float64 `json:"prefill_tok_s"` // prompt tokens/s
	Prefill     int     `json:"prefill_tokens"`
}

// runDecode measures generation with the KV cache: the decode rate over -n
// greedy tokens after a one-token prompt (as llama2.c's run.c reports it),
// and the prefill rate of a -prefill token prompt. The default shape is
// llama2.c's stories15M with random weights.
//
//	go run ./cmd/bench -decode -threads 2
func runDecode(args []string) error {
	fs := flag.NewFlagSet("bench -decode", flag.ContinueOnError)
	vocab := fs.Int("vocab", 32000, "vocabulary size")
	d := fs.Int("d", 288, "model width")
	hidden := fs.Int("hidden", 768, "MLP width")
	layers := fs.Int("layers", 6, "layers")
	heads := fs.Int("heads", 6, "attention heads")
	kv := fs.Int("kv-heads", 0, "key/value heads (0: same as -heads)")
	tied := fs.Bool("tied", true, "output head shares the embedding (as stories15M does)")
	seq := fs.Int("seq", 256, "context length (max_position_embeddings)")
	n := fs.Int("n", 256, "tokens to generate")
	prefill := fs.Int("prefill", 128, "prompt tokens for the prefill measurement")
	batch := fs.Int("batch", 1, "sequences decoded together")
	reps := fs.Int("reps", 3, "timed repetitions (the best is reported)")
	var devFlags devices.Flags
	devFlags.Register(fs)
	asJSON := fs.Bool("json", false, "print one JSON line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *kv == 0 {
		*kv = *heads
	}
	cfg := model.Config{VocabSize: *vocab, HiddenSize: *d, IntermediateSize: *hidden, NumHiddenLayers: *layers,
		NumAttentionHeads: *heads, NumKeyValueHeads: *kv, RMSNormEps: 1e-5, RopeTheta: 10000,
		MaxPositionEmbeddings: *seq, TieWordEmbeddings: *tied}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if *n < 2 || *prefill < 1 || *batch < 1 || *reps < 1 {
		return fmt.Errorf("flags -n %d, -prefill %d, -batch %d, -reps %d: want n >= 2 and the others >= 1", *n, *prefill, *batch, *reps)
	}
	dev, err := devFlags.Open()
	if err != nil {
		return err
	}
	defer dev.Close()
	m, err := infer.New(dev, cfg, cfg.Init(1), nil)
	if err != nil {
		return err
	}
	defer m.Close()

	prompts := make([][]int32, *batch)
	for b := range prompts {
		prompts[b] = []int32{int32(b % *vocab)}
	}
	var first, last time.Time
	opt := infer.GenerateOptions{MaxTokens: *n, OnToken: func(seq int, _ int32) error {
		if seq == 0 {
			last = time.Now()
			if first.IsZero() {
				first = last
			}
		}
		return nil
	}}
	best := 0.0
	for range *reps {
		first = time.Time{}
		if _, err := m.Generate(prompts, opt); err != nil {
			return err
		}
		best = max(best, float64((*n-1)*(*batch))/last.Sub(first).Seconds())
	}

	long := make([][]int32, *batch)
	for b := range long {
		long[b] = make([]int32, min(*prefill, *seq))
		for i := range long[b] {
			long[b][i] = int32((i*7 + b) % *vocab)
		}
	}
	bestPrefill := 0.0
	for range *reps {
		start := time.Now()
		if _, err := m.Generate(long, infer.GenerateOptions{MaxTokens: 1}); err != nil {
			return err
		}
		bestPrefill = max(bestPrefill, float64(len(long[0])*(*batch))/time.Since(start).Seconds())
	}
	res := DecodeResult{Impl: "plateau", Device: dev.Name(), Threads: devFlags.Threads, Vocab: *vocab, D: *d, Hidden: *hidden,
		Layers: *layers, Heads: *heads, KVHeads: *kv, Tied: *tied, Batch: *batch, Params: cfg.Params(), Tokens: *n,
		DecodeTokS: best, PrefillTokS: bestPrefill, Prefill: len(long[0])}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	fmt.Printf("%s: %d params, batch %d: decode %.1f tok/s over %d tokens, prefill %.0f tok/s over %d tokens\n",
		res.Device, res.Params, res.Batch, res.DecodeTokS, res.Tokens, res.PrefillTokS, res.Prefill)
	return nil
}
