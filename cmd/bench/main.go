// Command bench measures training throughput: forward, backward and AdamW
// steps of a Llama-style model (or, with -arch lstm, of the LSTM language
// model) on random tokens, reported as tokens/s and achieved GFLOP/s
// (FLOPs counted as model.Config.FLOPsPerToken does).
//
//	go run ./cmd/bench -vocab 512 -d 128 -layers 2 -heads 4 -batch 16 -seq 128 -json
//	go run ./cmd/bench -arch lstm -vocab 1024 -d 344 -layers 2 -batch 32 -seq 128
//	go run -tags openblas ./cmd/bench ...   # GEMMs through OpenBLAS
//	go run ./cmd/bench -decode -threads 2   # generation with the KV cache (decode.go)
//
// scripts/bench-cpu.sh runs it beside the PyTorch reference.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/plateau-lab/plateau/kernels/devices"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/train"
)

func main() {
	if err := run(os.Args[1:]); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// Result is the JSON line bench prints.
type Result struct {
	Impl       string  `json:"impl"`
	Arch       string  `json:"arch"`
	Device     string  `json:"device"`
	Threads    int     `json:"threads"`
	Vocab      int     `json:"vocab"`
	D          int     `json:"d"`
	Layers     int     `json:"layers"`
	Heads      int     `json:"heads"`
	Batch      int     `json:"batch"`
	Seq        int     `json:"seq"`
	Params     int64   `json:"params"`
	NonEmbed   int64   `json:"nonembed_params"`
	TokS       float64 `json:"tok_s"`
	GFLOPS     float64 `json:"gflops"`
	StepMS     float64 `json:"step_ms"`
	ArenaMiB   float64 `json:"activation_mib"`
	KernelCall int     `json:"kernel_calls"`
}

func run(args []string) error {
	for i, a := range args {
		if a == "-decode" || a == "--decode" {
			return runDecode(slices.Delete(slices.Clone(args), i, i+1))
		}
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	arch := fs.String("arch", "transformer", "model family: transformer or lstm (-heads and -kv-heads are then unused)")
	vocab := fs.Int("vocab", 512, "vocabulary size")
	d := fs.Int("d", 128, "model width")
	layers := fs.Int("layers", 2, "layers")
	heads := fs.Int("heads", 4, "attention heads")
	kv := fs.Int("kv-heads", 0, "key/value heads (0: same as -heads)")
	batch := fs.Int("batch", 16, "sequences per step")
	seq := fs.Int("seq", 128, "tokens per sequence")
	steps := fs.Int("steps", 10, "timed steps")
	warmup := fs.Int("warmup", 2, "untimed steps first")
	var devFlags devices.Flags
	devFlags.Register(fs)
	asJSON := fs.Bool("json", false, "print one JSON line")
	fs.Bool("decode", false, "measure generation with the KV cache instead (its flags: bench -decode -h)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *kv == 0 {
		*kv = *heads
	}
	fam, err := model.ParseFamily(*arch)
	if err != nil {
		return fmt.Errorf("flag -arch: %w", err)
	}
	cfg := model.NewConfig(model.Shape{Hidden: *d, Layers: *layers, Heads: *heads, KVHeads: *kv}, *vocab, *seq)
	if fam == model.LSTM {
		cfg = model.NewLSTMConfig(*d, *layers, *vocab, *seq)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	tokens := make([]int32, max(4*(*batch)*(*seq), 1<<16))
	for i := range tokens {
		tokens[i] = int32(r.IntN(*vocab))
	}
	dev, err := devFlags.Open()
	if err != nil {
		return err
	}
	defer dev.Close()
	opt := train.Options{
		Batch: *batch, Seq: *seq, Accum: 1, Steps: *warmup + *steps,
		Schedule: train.Schedule{Kind: "constant", LR: 3e-4},
		AdamW:    train.DefaultAdamW, Seed: 1, EvalBatches: 1,
	}
	tr, err := train.New(dev, cfg, train.Data{Train: tokens, Val: tokens}, opt)
	if err != nil {
		return err
	}
	defer tr.Close()
	for i := 0; i < *warmup; i++ {
		if _, _, err := tr.Step(i); err != nil {
			return err
		}
	}
	start := time.Now()
	for i := 0; i < *steps; i++ {
		if _, _, err := tr.Step(*warmup + i); err != nil {
			return err
		}
	}
	dt := time.Since(start).Seconds() / float64(*steps)
	tokS := float64((*batch)*(*seq)) / dt
	res := Result{
		Impl: "plateau", Arch: fam.String(), Device: dev.Name(), Threads: runtime.GOMAXPROCS(0), Vocab: *vocab, D: *d, Layers: *layers, Heads: *heads,
		Batch: *batch, Seq: *seq, Params: cfg.Params(), NonEmbed: cfg.NonEmbeddingParams(),
		TokS: tokS, GFLOPS: tokS * cfg.FLOPsPerToken(*seq) / 1e9, StepMS: dt * 1e3,
		ArenaMiB: float64(tr.ArenaElems()) * 4 / (1 << 20), KernelCall: tr.KernelCalls(),
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	fmt.Printf("%s: %d params, batch %d x seq %d: %.0f tok/s, %.1f GFLOP/s, %.1f ms/step, %.1f MiB activations\n",
		res.Device, res.Params, res.Batch, res.Seq, res.TokS, res.GFLOPS, res.StepMS, res.ArenaMiB)
	return nil
}
