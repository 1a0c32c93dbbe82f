// Command eval scores token sequences with a model folder and prints one
// JSON object: the mean next-token loss in nats over every predicted
// position, the number of positions, and the perplexity.
//
//	go run ./cmd/eval -model runs/default/model -ids seqs.json
//
// seqs.json holds a JSON list of token-id lists, all of one length (at
// least 2).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/plateau-lab/plateau/infer"
	"github.com/plateau-lab/plateau/kernels"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "eval:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	dir := fs.String("model", "", "model folder (config.json, model.safetensors)")
	idsFile := fs.String("ids", "", "JSON file: a list of token-id lists of one length")
	threads := fs.Int("threads", 0, "CPU threads (0: all cores)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *idsFile == "" {
		return fmt.Errorf("flags -model and -ids are required")
	}
	raw, err := os.ReadFile(*idsFile)
	if err != nil {
		return fmt.Errorf("flag -ids: %w", err)
	}
	var seqs [][]int32
	if err := json.Unmarshal(raw, &seqs); err != nil {
		return fmt.Errorf("flag -ids %s: want a JSON list of lists of token ids: %w", *idsFile, err)
	}
	m, err := infer.Load(kernels.NewCPU(*threads), *dir)
	if err != nil {
		return err
	}
	defer m.Close()
	s, err := m.Score(seqs)
	if err != nil {
		return fmt.Errorf("%s: %w", *idsFile, err)
	}
	return json.NewEncoder(os.Stdout).Encode(s)
}
