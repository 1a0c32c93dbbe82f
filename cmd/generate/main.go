// Command generate continues a prompt with a model folder.
//
//	go run ./cmd/generate -model runs/default/model -prompt "Call me" -n 50
//	go run ./cmd/generate -model DIR -ids 1,2,3 -n 8 -temperature 0
//
// With -prompt it prints the prompt and its continuation as text (the folder
// needs a tokenizer.json); with -ids it prints the generated ids as a JSON
// list. Temperature 0 is greedy decoding.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/plateau-lab/plateau/infer"
	"github.com/plateau-lab/plateau/kernels"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	dir := fs.String("model", "", "model folder")
	prompt := fs.String("prompt", "", "prompt text (needs tokenizer.json in the folder)")
	idList := fs.String("ids", "", "prompt as comma-separated token ids")
	n := fs.Int("n", 64, "tokens to generate")
	temp := fs.Float64("temperature", 0.8, "sampling temperature (0: greedy)")
	seed := fs.Uint64("seed", 1, "sampling seed")
	threads := fs.Int("threads", 0, "CPU threads (0: all cores)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || (*prompt == "") == (*idList == "") {
		return fmt.Errorf("flag -model and exactly one of -prompt and -ids are required")
	}
	m, err := infer.Load(kernels.NewCPU(*threads), *dir)
	if err != nil {
		return err
	}
	defer m.Close()
	var ids []int32
	if *idList != "" {
		for _, f := range strings.Split(*idList, ",") {
			v, err := strconv.ParseInt(strings.TrimSpace(f), 10, 32)
			if err != nil {
				return fmt.Errorf("flag -ids: %q is not a token id", f)
			}
			ids = append(ids, int32(v))
		}
	} else {
		if m.Tokenizer == nil {
			return fmt.Errorf("flag -prompt: %s has no tokenizer.json; pass -ids instead", *dir)
		}
		ids = m.Tokenizer.Encode([]byte(*prompt))
	}
	out, err := m.Generate(ids, *n, infer.Sampling{Temperature: *temp, Seed: *seed})
	if err != nil {
		return err
	}
	if *idList != "" {
		return json.NewEncoder(os.Stdout).Encode(out)
	}
	text, err := m.Tokenizer.Decode(append(ids, out...))
	if err != nil {
		return err
	}
	fmt.Println(string(text))
	return nil
}
