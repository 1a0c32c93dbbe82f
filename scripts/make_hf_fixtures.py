#!/usr/bin/env python3
"""Write the half-precision Llama folders under infer/testdata.

Each folder (hf-bf16, hf-f16) holds a tiny random Llama in Hugging Face
layout -- config.json and a model.safetensors stored in bfloat16 or float16 --
written byte by byte here (an 8-byte little-endian header length, the JSON
header, the raw tensor bytes), independently of plateau's own safetensors
writer, plus expected.json: token ids and the logits of a float64 forward
pass written out below in Hugging Face's conventions (rotate-half RoPE, GQA),
computed from the rounded weights. infer's tests load the folders and compare.

Run once from the repository root with torch installed:

    python3 scripts/make_hf_fixtures.py
"""
import json
import math
import os
import struct

import torch

CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 32,
    "hidden_size": 16,
    "intermediate_size": 24,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
    "max_position_embeddings": 16,
    "tie_word_embeddings": False,
    "hidden_act": "silu",
}
IDS = [1, 5, 9, 3, 30, 0, 17, 5]


def params(c):
    """Random parameters in ParamSpecs order, as (name, float32 tensor)."""
    g = torch.Generator().manual_seed(1234)
    d, f, v = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    kv = c["num_key_value_heads"] * d // c["num_attention_heads"]

    def mat(rows, cols, std=0.3):
        return torch.randn(rows, cols, generator=g) * std

    def gain(n):
        return 1 + 0.1 * torch.randn(n, generator=g)

    out = [("model.embed_tokens.weight", mat(v, d, 1.0))]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out += [
            (p + "input_layernorm.weight", gain(d)),
            (p + "self_attn.q_proj.weight", mat(d, d)),
            (p + "self_attn.k_proj.weight", mat(kv, d)),
            (p + "self_attn.v_proj.weight", mat(kv, d)),
            (p + "self_attn.o_proj.weight", mat(d, d)),
            (p + "post_attention_layernorm.weight", gain(d)),
            (p + "mlp.gate_proj.weight", mat(f, d)),
            (p + "mlp.up_proj.weight", mat(f, d)),
            (p + "mlp.down_proj.weight", mat(d, f)),
        ]
    out += [("model.norm.weight", gain(d)), ("lm_head.weight", mat(v, d))]
    return out


def write_safetensors(path, tensors, dtype):
    """tensors: list of (name, tensor already in dtype)."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    name = {torch.bfloat16: "BF16", torch.float16: "F16"}[dtype]
    for key, t in tensors:
        raw = t.contiguous().view(torch.int16).numpy().astype("<i2").tobytes()
        header[key] = {"dtype": name, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def forward(c, w, ids):
    """Logits [len(ids), vocab] of the Llama forward pass in float64."""
    d, heads, kvh = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    hd, eps, T = d // heads, c["rms_norm_eps"], len(ids)

    def norm(x, g):
        return g * (x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps))

    def rope(x):  # x: [T, n, hd], rotate-half
        inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
        ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
        cos = torch.cat([ang.cos(), ang.cos()], -1)[:, None, :]
        sin = torch.cat([ang.sin(), ang.sin()], -1)[:, None, :]
        rot = torch.cat([-x[..., hd // 2:], x[..., : hd // 2]], -1)
        return x * cos + rot * sin

    x = w["model.embed_tokens.weight"][ids]
    mask = torch.full((T, T), -math.inf, dtype=torch.float64).triu(1)
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = norm(x, w[p + "input_layernorm.weight"])
        q = rope((h @ w[p + "self_attn.q_proj.weight"].T).view(T, heads, hd))
        k = rope((h @ w[p + "self_attn.k_proj.weight"].T).view(T, kvh, hd))
        v = (h @ w[p + "self_attn.v_proj.weight"].T).view(T, kvh, hd)
        k = k.repeat_interleave(heads // kvh, dim=1)
        v = v.repeat_interleave(heads // kvh, dim=1)
        s = torch.einsum("thd,shd->hts", q, k) / math.sqrt(hd) + mask
        a = torch.einsum("hts,shd->thd", s.softmax(-1), v).reshape(T, d)
        x = x + a @ w[p + "self_attn.o_proj.weight"].T
        h = norm(x, w[p + "post_attention_layernorm.weight"])
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (gate * torch.sigmoid(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    return norm(x, w["model.norm.weight"]) @ w["lm_head.weight"].T


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "infer", "testdata")
    base = params(CONFIG)
    for folder, dtype, label in [("hf-bf16", torch.bfloat16, "bfloat16"), ("hf-f16", torch.float16, "float16")]:
        out = os.path.join(root, folder)
        os.makedirs(out, exist_ok=True)
        rounded = [(k, t.to(dtype)) for k, t in base]
        cfg = dict(CONFIG, torch_dtype=label)
        with open(os.path.join(out, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
            f.write("\n")
        write_safetensors(os.path.join(out, "model.safetensors"), rounded, dtype)
        logits = forward(CONFIG, {k: t.to(torch.float64) for k, t in rounded}, IDS)
        with open(os.path.join(out, "expected.json"), "w") as f:
            json.dump({"ids": IDS, "logits": [[float(v) for v in row] for row in logits]}, f)
            f.write("\n")
        print("wrote", out)


if __name__ == "__main__":
    main()
