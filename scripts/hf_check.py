#!/usr/bin/env python3
"""Check a plateau model folder against Hugging Face transformers and tokenizers.

Needs Go (to run plateau's cmd/eval), torch, transformers and tokenizers; run
it from the repository root on a machine that has them:

    python3 scripts/hf_check.py --model runs/default/model
    python3 scripts/hf_check.py --model DIR --eval .gpu/eval   # a built cmd/eval, where there is no Go

It
  1. writes a few token sequences, has plateau score them and dump their
     logits (go run ./cmd/eval -ids ... -dump-logits ...),
  2. loads the folder with transformers.LlamaForCausalLM.from_pretrained and
     computes the logits of the same sequences in float32,
  3. if the folder has tokenizer.json, loads it with tokenizers.Tokenizer and
     checks that it encodes sample texts to the ids plateau gives
     (go run ./cmd/eval -encode FILE),
and prints one JSON line: {"ok": ..., "logits_max_abs_diff": ..., ...}.
The exit status is 0 only when every check passed.
"""
import argparse
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

import numpy as np

SAMPLES = [
    "Call me Ishmael. Some years ago, never mind how long precisely,",
    "  two spaces, a tab\there, numbers 12345 and 3.14, café, naïve, 日本語, emoji 😀.\n\nNew paragraph!",
    "it's they'll we've I'm don't -- 'quoted' \"double\" (parens) [brackets] {braces}",
]


def read_safetensors(path):
    """Returns {name: float32 array} of an F32 safetensors file."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        if e["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {e['dtype']}, want F32")
        a, b = e["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(e["shape"])
    return out


def go_eval(eval_cmd, args):
    cmd = eval_cmd + args
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {res.stderr.strip()}")
    return res.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="plateau model folder")
    ap.add_argument("--eval", default="go run ./cmd/eval",
                    help="how to run plateau's cmd/eval: a built binary on a machine without Go (default: %(default)s)")
    ap.add_argument("--seqs", type=int, default=3, help="token sequences to compare")
    ap.add_argument("--len", type=int, default=0, help="tokens per sequence (0: min(64, max_position_embeddings))")
    ap.add_argument("--tol", type=float, default=1e-4, help="max |logit difference| relative to max |logit|")
    args = ap.parse_args()

    import torch
    from transformers import LlamaForCausalLM

    cfg = json.load(open(os.path.join(args.model, "config.json")))
    vocab, ctx = cfg["vocab_size"], cfg.get("max_position_embeddings", 2048)
    n = args.len or min(64, ctx)
    rng = random.Random(0)
    seqs = [[rng.randrange(vocab) for _ in range(n)] for _ in range(args.seqs)]
    verdict = {"check": "hf", "model": args.model}
    with tempfile.TemporaryDirectory() as tmp:
        ids_path, dump = os.path.join(tmp, "ids.json"), os.path.join(tmp, "logits.safetensors")
        json.dump(seqs, open(ids_path, "w"))
        score = json.loads(go_eval(args.eval.split(), ["-model", args.model, "-ids", ids_path, "-dump-logits", dump]))
        ours = read_safetensors(dump)["logits"].astype(np.float64)

        model = LlamaForCausalLM.from_pretrained(args.model, torch_dtype=torch.float32)
        model.eval()
        with torch.no_grad():
            out = model(torch.tensor(seqs), labels=torch.tensor(seqs))
        theirs = out.logits.double().numpy()
        diff = float(np.abs(ours - theirs).max())
        scale = float(np.abs(theirs).max())
        verdict["logits_max_abs_diff"] = diff
        verdict["logits_max_abs"] = scale
        verdict["logits_ok"] = diff <= args.tol * max(scale, 1.0)
        verdict["loss_plateau"] = score["loss"]
        verdict["loss_transformers"] = float(out.loss)
        verdict["loss_ok"] = abs(score["loss"] - float(out.loss)) <= 1e-4 * max(1.0, abs(float(out.loss)))

        tok_path = os.path.join(args.model, "tokenizer.json")
        if os.path.exists(tok_path):
            from tokenizers import Tokenizer

            hf_tok = Tokenizer.from_file(tok_path)
            mismatches = []
            for i, text in enumerate(SAMPLES):
                text_path = os.path.join(tmp, f"sample{i}.txt")
                with open(text_path, "w", encoding="utf-8") as f:
                    f.write(text)
                ours_ids = json.loads(go_eval(args.eval.split(), ["-model", args.model, "-encode", text_path]))
                theirs_ids = hf_tok.encode(text).ids
                if ours_ids != theirs_ids:
                    mismatches.append({"sample": i, "plateau": ours_ids[:32], "tokenizers": theirs_ids[:32]})
            verdict["tokenizer_ok"] = not mismatches
            if mismatches:
                verdict["tokenizer_mismatches"] = mismatches
    verdict["ok"] = all(v for k, v in verdict.items() if k.endswith("_ok"))
    print(json.dumps(verdict))
    return 0 if verdict["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
