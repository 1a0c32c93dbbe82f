// Command export converts a model to another format: a GGUF file for
// llama.cpp, or a Hugging Face model folder (from a llama2.c checkpoint, or
// a folder stored in float16 or bfloat16, written back in float32).
//
//	go run ./cmd/export -format gguf -dtype f16 -in runs/default/model -out model.gguf
//	go run ./cmd/export -format hf -in stories15M.bin -tokenizer tokenizer.bin -out stories15M
//
// -in is a model folder (config.json, model.safetensors, tokenizer.json if
// any) or a llama2.c checkpoint (.bin, versions 0 and 1); -tokenizer gives
// its tokenizer (a tokenizer.json, or llama2.c's tokenizer.bin, written out
// as the equivalent Hugging Face tokenizer.json). A Hugging Face folder
// gets, with the tokenizer, the tokenizer_config.json,
// special_tokens_map.json and generation_config.json that AutoTokenizer
// and generate() read. The GGUF file embeds a byte-level tokenizer.
// Outputs are written atomically: a file or folder is replaced only once
// complete.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/infer"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/model/gguf"
)

func main() {
	if err := run(os.Args[1:]); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "export:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	format := fs.String("format", "gguf", "output format: gguf or hf")
	dtype := fs.String("dtype", "f32", "with -format gguf: f32 or f16 weight matrices")
	in := fs.String("in", "", "model folder or llama2.c checkpoint")
	out := fs.String("out", "", "output file (gguf) or folder (hf)")
	tokPath := fs.String("tokenizer", "", "tokenizer.json or llama2.c tokenizer.bin of the model (default: the folder's tokenizer.json)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return errors.New("flags -in and -out are required")
	}
	// The flags are checked before the model, which may be large, is read.
	dt, err := gguf.ParseDType(*dtype)
	if err != nil {
		return fmt.Errorf("flag -dtype: %w", err)
	}
	if *format != "gguf" && *format != "hf" {
		return fmt.Errorf("flag -format %q: want gguf or hf", *format)
	}
	cfg, values, tok, err := infer.ReadModel(*in)
	if err != nil {
		return fmt.Errorf("flag -in: %w", err)
	}
	if *tokPath != "" {
		if tok, err = data.LoadTokenizerFile(*tokPath); err != nil {
			return fmt.Errorf("flag -tokenizer: %w", err)
		}
		if tok.VocabSize() > cfg.VocabSize {
			return fmt.Errorf("flag -tokenizer: %d tokens, more than the model's vocab_size %d", tok.VocabSize(), cfg.VocabSize)
		}
	}
	switch *format {
	case "gguf":
		return gguf.WriteFile(*out, cfg, values, tok, dt)
	default: // hf
		var fw model.FolderWriter
		return fw.Save(*out, cfg, values, func(tmp string) error {
			if tok == nil {
				return nil
			}
			return tok.WriteHFFiles(tmp, cfg.MaxPositionEmbeddings, fw.WriteFile)
		})
	}
}
