// Command generate continues a prompt with a model folder or a llama2.c
// checkpoint, with a KV cache.
//
//	go run ./cmd/generate -model runs/default/model -prompt "Call me" -n 50
//	go run ./cmd/generate -model DIR -prompt "Once" -temperature 0.8 -top-p 0.9 -stop "\n\n"
//	go run ./cmd/generate -model stories15M.bin -ids 1,403,2501 -n 8 -temperature 0
//	go run ./cmd/generate -model stories15M.bin -tokenizer tokenizer.bin -prompt "Once upon a time"
//
// With -prompt it prints the prompt, then the continuation as it is
// generated (the folder needs a tokenizer.json, or -tokenizer names one: a
// tokenizer.json or llama2.c's tokenizer.bin); a sentencepiece-style
// tokenizer's begin token is put before the prompt, as run.c and Hugging
// Face do, and -prompt "" is then that token alone (run.c's default).
// Generation ends at the tokenizer's end-of-text token (and, for
// sentencepiece-style tokenizers, at a begin token, which starts the next
// document; unless -ignore-eos), at a -stop string, or after -n tokens. The
// prompt is plain text: "<|endoftext|>" in it is just those characters,
// unless -special parses special tokens' names as the tokens, as Hugging
// Face's tokenizers do. With -ids it prints the generated ids as a JSON
// list.
// Temperature 0 is greedy decoding; -top-k, -top-p, -min-p and
// -repetition-penalty filter the distribution before the draw, which -seed
// makes reproducible.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/plateau-lab/plateau/infer"
	"github.com/plateau-lab/plateau/kernels/devices"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

// stops collects repeated -stop flags.
type stops []string

// String lists the stop strings (flag.Value).
func (s *stops) String() string { return strings.Join(*s, ",") }

// Set adds one -stop value, reading Go escapes such as \n (flag.Value).
func (s *stops) Set(v string) error {
	u, err := strconv.Unquote(`"` + v + `"`) // let "\n" mean a newline
	if err != nil {
		u = v
	}
	*s = append(*s, u)
	return nil
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	dir := fs.String("model", "", "model folder, or llama2.c checkpoint (.bin)")
	prompt := fs.String("prompt", "", "prompt text (needs tokenizer.json in the folder)")
	idList := fs.String("ids", "", "prompt as comma-separated token ids")
	n := fs.Int("n", 64, "most tokens to generate")
	var s infer.Sampling
	fs.Float64Var(&s.Temperature, "temperature", 0.8, "sampling temperature (0: greedy)")
	fs.IntVar(&s.TopK, "top-k", 0, "keep the k most likely tokens (0: off)")
	fs.Float64Var(&s.TopP, "top-p", 1, "keep the most likely tokens up to this probability mass, in (0, 1] (1: off)")
	fs.Float64Var(&s.MinP, "min-p", 0, "keep tokens at least this fraction as likely as the most likely, in [0, 1] (0: off)")
	fs.Float64Var(&s.RepetitionPenalty, "repetition-penalty", 1, "penalty > 0 on tokens already in the text (1: off)")
	fs.Uint64Var(&s.Seed, "seed", 1, "sampling seed")
	var stop stops
	fs.Var(&stop, "stop", "stop when the text contains this string (repeatable; Go escapes such as \\n allowed)")
	tokPath := fs.String("tokenizer", "", "tokenizer.json or llama2.c tokenizer.bin to use (default: the folder's tokenizer.json)")
	special := fs.Bool("special", false, "parse special tokens' names in -prompt (<|endoftext|>, <s>, ...) as those tokens, as Hugging Face does")
	ignoreEOS := fs.Bool("ignore-eos", false, "keep generating past the end-of-text token")
	truncate := fs.Bool("truncate", false, "keep the end of a prompt too long for the context instead of failing")
	var devFlags devices.Flags
	devFlags.Register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	promptSet := false
	fs.Visit(func(f *flag.Flag) { promptSet = promptSet || f.Name == "prompt" })
	if *dir == "" || promptSet == (*idList != "") {
		return errors.New("flag -model and exactly one of -prompt and -ids are required")
	}
	// The library reads 0 as "off" for these two; as flag values they are
	// out of range.
	if s.TopP == 0 {
		return errors.New("flag -top-p 0: want a number in (0, 1] (1: off)")
	}
	if s.RepetitionPenalty == 0 {
		return errors.New("flag -repetition-penalty 0: want a finite number > 0 (1: off)")
	}
	if err := s.Validate(); err != nil {
		return err
	}
	dev, err := devFlags.Open()
	if err != nil {
		return err
	}
	defer dev.Close()
	m, err := infer.Open(dev, *dir)
	if err != nil {
		return err
	}
	defer m.Close()
	if *tokPath != "" {
		if err := m.LoadTokenizer(*tokPath); err != nil {
			return fmt.Errorf("flag -tokenizer: %w", err)
		}
	}
	opt := infer.GenerateOptions{MaxTokens: *n, Sampling: s, Stop: stop, Truncate: *truncate}
	if *idList != "" {
		ids, err := parseIDs(*idList)
		if err != nil {
			return err
		}
		if m.Tokenizer != nil && !*ignoreEOS {
			opt.EndIDs = m.Tokenizer.StopIDs()
		}
		gens, err := m.Generate([][]int32{ids}, opt)
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(gens[0].IDs)
	}
	if m.Tokenizer == nil {
		return fmt.Errorf("flag -prompt: %s has no tokenizer.json; pass -tokenizer, or -ids instead", *dir)
	}
	if !*ignoreEOS {
		opt.EndIDs = m.Tokenizer.StopIDs()
	}
	ids := m.EncodePrompt([]byte(*prompt), *special)
	if len(ids) == 0 {
		return errors.New("flag -prompt: empty, and the tokenizer has no begin token to start from")
	}
	io.WriteString(stdout, *prompt)
	opt.OnText = func(_ int, text []byte) error {
		_, err := stdout.Write(text)
		return err
	}
	if _, err := m.Generate([][]int32{ids}, opt); err != nil {
		fmt.Fprintln(stdout)
		return err
	}
	fmt.Fprintln(stdout)
	return nil
}

// parseIDs reads the -ids list.
func parseIDs(list string) ([]int32, error) {
	var ids []int32
	for _, f := range strings.Split(list, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(f), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("flag -ids: %q is not a token id", f)
		}
		ids = append(ids, int32(v))
	}
	return ids, nil
}
