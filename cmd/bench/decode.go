package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/plateau-lab/plateau/infer"
	"github.com/plateau-lab/plateau/kernels/devices"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/model/llama2c"
)

// Rates are the min, median and max of a rate over repetitions.
type Rates struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Max    float64 `json:"max"`
}

// ratesOf summarises per-repetition rates.
func ratesOf(v []float64) Rates {
	s := slices.Clone(v)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Rates{Min: s[0], Median: med, Max: s[len(s)-1]}
}

// DecodeResult is the JSON line bench -decode prints.
type DecodeResult struct {
	Impl     string  `json:"impl"`
	Model    string  `json:"model,omitempty"` // the -model path; empty for random weights
	Device   string  `json:"device"`
	Threads  int     `json:"threads"`
	Vocab    int     `json:"vocab"`
	D        int     `json:"d"`
	Hidden   int     `json:"hidden"`
	Layers   int     `json:"layers"`
	Heads    int     `json:"heads"`
	KVHeads  int     `json:"kv_heads"`
	Tied     bool    `json:"tied"`
	Batch    int     `json:"batch"`
	Params   int64   `json:"params"`
	Reps     int     `json:"reps"`
	LoadS    float64 `json:"load_s"` // reading the model and putting it on the device
	Tokens   int     `json:"tokens"`
	Decode   Rates   `json:"decode_tok_s"` // generated tokens/s per sequence times batch
	Prefill  Rates   `json:"prefill_tok_s"`
	PrefillN int     `json:"prefill_tokens"`
	// FirstIDs are the first generated ids of sequence 0 in the first
	// repetition, greedy from a BOS-like prompt, for comparing with
	// another implementation on the same checkpoint.
	FirstIDs []int32 `json:"ids"`
}

// runDecode measures generation with the KV cache: the decode rate over -n
// greedy tokens after a one-token prompt (id 1, llama2.c's BOS, timed from
// the first generated token to the last as llama2.c's run.c reports it), and
// the prefill rate of a -prefill token prompt, each over -reps repetitions.
// The model is -model (a folder or llama2.c checkpoint) or, by default,
// random weights of llama2.c's stories15M shape, which -save-llama2c writes
// out as a checkpoint for other programs to run.
//
//	go run ./cmd/bench -decode -threads 2
//	go run ./cmd/bench -decode -save-llama2c /tmp/s15.bin -reps 0   # just write the checkpoint
//	go run ./cmd/bench -decode -model /tmp/s15.bin -threads 1 -json
func runDecode(args []string) error {
	fs := flag.NewFlagSet("bench -decode", flag.ContinueOnError)
	path := fs.String("model", "", "model folder or llama2.c checkpoint to run (default: random weights of the shape below)")
	save := fs.String("save-llama2c", "", "write the random model as a llama2.c version 0 checkpoint to this file")
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
	std := fs.Float64("std", 0.3, "standard deviation of the random weights (norm weights are 1): large enough that greedy decoding does not just repeat its prompt, as it does at the training initialisation with a tied head")
	reps := fs.Int("reps", 5, "timed repetitions (min, median and max are reported); 0 with -save-llama2c only writes the file")
	var devFlags devices.Flags
	devFlags.Register(fs)
	asJSON := fs.Bool("json", false, "print one JSON line")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the timed runs to this file (go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *kv == 0 {
		*kv = *heads
	}
	if *n < 2 || *prefill < 1 || *batch < 1 || *reps < 0 || (*reps == 0 && *save == "") {
		return fmt.Errorf("flags -n %d, -prefill %d, -batch %d, -reps %d: want n >= 2, the others >= 1 (reps 0 only with -save-llama2c)", *n, *prefill, *batch, *reps)
	}
	if *path != "" && *save != "" {
		return fmt.Errorf("flags -model and -save-llama2c: -save-llama2c writes the random model, give one or the other")
	}
	var (
		cfg    model.Config
		values [][]float32
	)
	if *path == "" {
		cfg = model.Config{VocabSize: *vocab, HiddenSize: *d, IntermediateSize: *hidden, NumHiddenLayers: *layers,
			NumAttentionHeads: *heads, NumKeyValueHeads: *kv, RMSNormEps: 1e-5, RopeTheta: 10000,
			MaxPositionEmbeddings: *seq, TieWordEmbeddings: *tied}
		if err := cfg.Validate(); err != nil {
			return err
		}
		values = randomWeights(cfg, *std)
		if *save != "" {
			if err := llama2c.WriteFile(*save, cfg, values, 0); err != nil {
				return fmt.Errorf("flag -save-llama2c: %w", err)
			}
		}
		if *reps == 0 {
			return nil
		}
	}
	dev, err := devFlags.Open()
	if err != nil {
		return err
	}
	defer dev.Close()
	start := time.Now()
	var m *infer.Model
	if *path != "" {
		m, err = infer.Open(dev, *path)
	} else {
		m, err = infer.New(dev, cfg, values, nil)
	}
	if err != nil {
		return err
	}
	defer m.Close()
	load := time.Since(start).Seconds()
	cfg = m.Config
	if *n > cfg.MaxPositionEmbeddings || *prefill > cfg.MaxPositionEmbeddings {
		return fmt.Errorf("flags -n %d and -prefill %d: the model's context is %d positions", *n, *prefill, cfg.MaxPositionEmbeddings)
	}

	prompts := make([][]int32, *batch)
	for b := range prompts {
		prompts[b] = []int32{int32((b + 1) % cfg.VocabSize)}
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
	if *profile != "" {
		stop, err := startProfile(*profile)
		if err != nil {
			return err
		}
		defer stop()
	}
	var decode, pre []float64
	var ids []int32
	for range *reps {
		first = time.Time{}
		gens, err := m.Generate(prompts, opt)
		if err != nil {
			return err
		}
		if ids == nil {
			ids = gens[0].IDs
		}
		decode = append(decode, float64((*n-1)*(*batch))/last.Sub(first).Seconds())
	}

	long := make([][]int32, *batch)
	for b := range long {
		long[b] = make([]int32, *prefill)
		for i := range long[b] {
			long[b][i] = int32((i*7 + b) % cfg.VocabSize)
		}
	}
	for range *reps {
		start := time.Now()
		if _, err := m.Generate(long, infer.GenerateOptions{MaxTokens: 1}); err != nil {
			return err
		}
		pre = append(pre, float64(*prefill*(*batch))/time.Since(start).Seconds())
	}
	res := DecodeResult{Impl: "plateau", Model: *path, Device: dev.Name(), Threads: devFlags.Threads, Vocab: cfg.VocabSize,
		D: cfg.HiddenSize, Hidden: cfg.IntermediateSize, Layers: cfg.NumHiddenLayers, Heads: cfg.NumAttentionHeads,
		KVHeads: cfg.NumKeyValueHeads, Tied: cfg.TieWordEmbeddings, Batch: *batch, Params: cfg.Params(), Reps: *reps,
		LoadS: load, Tokens: *n, Decode: ratesOf(decode), Prefill: ratesOf(pre), PrefillN: *prefill, FirstIDs: ids}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	fmt.Printf("%s: %d params, batch %d, load %.3f s\n", res.Device, res.Params, res.Batch, res.LoadS)
	fmt.Printf("decode  over %3d tokens: median %7.1f tok/s (min %.1f, max %.1f, %d reps)\n",
		res.Tokens, res.Decode.Median, res.Decode.Min, res.Decode.Max, res.Reps)
	fmt.Printf("prefill over %3d tokens: median %7.0f tok/s (min %.0f, max %.0f)\n",
		res.PrefillN, res.Prefill.Median, res.Prefill.Min, res.Prefill.Max)
	return nil
}

// randomWeights draws every matrix of c from N(0, std^2), from seed 1, and
// sets the norm weights to 1.
func randomWeights(c model.Config, std float64) [][]float32 {
	values := c.Init(1)
	for i, p := range c.ParamSpecs() {
		if p.Std == 0 {
			continue
		}
		r := rand.New(rand.NewPCG(1, uint64(i)))
		for j := range values[i] {
			values[i][j] = float32(std * r.NormFloat64())
		}
	}
	return values
}

// startProfile starts a CPU profile written to path; the returned function
// stops it.
func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("flag -cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("flag -cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
