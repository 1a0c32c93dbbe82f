// Package data turns raw text into the token streams that plateau trains on.
//
// It provides a byte-level BPE tokenizer compatible with the Hugging Face
// tokenizer.json format (GPT-2 pre-tokenization), a small built-in corpus of
// public-domain prose, a deterministic document-level train/validation split,
// and batchers that serve training windows reproducibly from (seed, step)
// alone, so that a resumed run sees exactly the batches it would have seen.
package data
