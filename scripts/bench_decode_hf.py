#!/usr/bin/env python3
"""Decode speed of Hugging Face transformers' generate on the GPU, the
reference for plateau's `cmd/bench -decode -device cuda`.

A LlamaForCausalLM of the stories15M shape (dim 288, hidden 768, 6 layers,
6 heads, vocab 32000, context 256; random weights, fp32, eager attention)
generates 256 tokens greedily with its KV cache after an 8-token prompt, at
each batch size given; one JSON line per batch size:
{"impl": "transformers", "batch": B, "decode_tok_s": ..., "new_tokens": ...}.

    python3 scripts/bench_decode_hf.py --batch 1 64
"""
import argparse
import json
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, nargs="+", default=[1, 64])
    ap.add_argument("--new", type=int, default=256, help="tokens to generate")
    ap.add_argument("--prompt", type=int, default=8, help="prompt tokens")
    ap.add_argument("--reps", type=int, default=3, help="timed repetitions (the best is reported)")
    args = ap.parse_args()
    cfg = LlamaConfig(vocab_size=32000, hidden_size=288, intermediate_size=768, num_hidden_layers=6,
                      num_attention_heads=6, num_key_value_heads=6, max_position_embeddings=256 + args.prompt,
                      tie_word_embeddings=True, attn_implementation="eager")
    torch.manual_seed(0)
    model = LlamaForCausalLM(cfg).cuda().eval()
    for b in args.batch:
        ids = torch.randint(0, cfg.vocab_size, (b, args.prompt), device="cuda")
        best = None
        with torch.inference_mode():
            for _ in range(args.reps + 1):  # the first run warms up
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                out = model.generate(ids, max_new_tokens=args.new, min_new_tokens=args.new, do_sample=False,
                                     use_cache=True, pad_token_id=0)
                torch.cuda.synchronize()
                dt = time.perf_counter() - t0
                best = dt if best is None else min(best, dt)
        new = out.shape[1] - args.prompt
        print(json.dumps({"impl": "transformers", "batch": b, "new_tokens": new,
                          "decode_tok_s": b * new / best, "device": torch.cuda.get_device_name()}), flush=True)


if __name__ == "__main__":
    main()
