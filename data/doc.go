// Package data turns raw text into the token streams that plateau trains on.
//
// It provides a byte-level BPE tokenizer compatible with the Hugging Face
// tokenizer.json format (GPT-2 pre-tokenization), a small built-in corpus of
// public-domain prose, a deterministic document-level train/validation split,
// and batchers that serve training windows reproducibly from (seed, step)
// alone, so that a resumed run sees exactly the batches it would have seen.
//
// The same Tokenizer also holds sentencepiece-style BPE vocabularies
// (sentencepiece.go), read from llama2.c's tokenizer.bin (tokenizer_bin.go)
// or a Llama-style tokenizer.json (tokenizer_json_sp.go), to run and export
// such models. Special tokens in text are plain text unless EncodeSpecial
// parses them (special.go), and WriteHFFiles writes the files Hugging Face
// loaders read beside tokenizer.json (tokenizer_hf_files.go).
package data
