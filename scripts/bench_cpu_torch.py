#!/usr/bin/env python3
"""PyTorch fp32 CPU training benchmark of the Llama-style model plateau trains.

Architecture (Hugging Face Llama conventions):
  token embedding -> L x [RMSNorm -> q/k/v/o (no bias, RoPE rotate-half, causal
  attention) -> residual; RMSNorm -> SwiGLU MLP (gate/up/down) -> residual]
  -> final RMSNorm -> untied lm_head -> mean cross-entropy.  AdamW(lr 3e-4, wd 0.1).

Prints one JSON line. FLOP accounting (same as the GPU reference and plateau):
  flops/token = 6*(N - 2*V*d) + 6*V*d + 6*L*d*T
i.e. 6x the matmul parameters (lm head counted, embedding gather not) plus the
causal attention term.

With --arch lstm the model is plateau's LSTM language model instead: token
embedding -> nn.LSTM (--layers layers of width --d, batch_first) -> final
RMSNorm -> untied lm_head -> mean cross-entropy, and
  flops/token = 6*(layers*8*d*d + V*d)
(6x the gate weights and the head; the same count plateau uses, less its
biases and norm gain).

Run with an interpreter that has torch (on Debian: /usr/bin/python3).
  /usr/bin/python3 scripts/bench_cpu_torch.py --vocab 512 --d 128 --layers 2 --heads 4 --batch 16 --seq 128
  /usr/bin/python3 scripts/bench_cpu_torch.py --matmul 1024   # plain fp32 matmul GFLOP/s
"""
import argparse
import json
import math
import os
import statistics
import sys
import time


def default_threads():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", choices=("transformer", "lstm"), default="transformer")
    p.add_argument("--vocab", type=int, default=512)
    p.add_argument("--d", type=int, default=128)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="0 = all available cores")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--omp-wait-policy", choices=("passive", "default"), default="passive",
                   help="passive (default): set OMP_WAIT_POLICY=PASSIVE unless the environment "
                        "sets it; default: leave libgomp's spin-then-sleep behaviour")
    p.add_argument("--matmul", type=int, default=0,
                   help="instead of training, time an N^3 fp32 matmul and exit")
    return p.parse_args()


ARGS = parse_args()
THREADS = ARGS.threads if ARGS.threads > 0 else default_threads()
# torch.set_num_threads only sizes torch's own OpenMP pool; the BLAS that
# Debian's torch calls for matmuls (OpenBLAS) reads its thread count from the
# environment when it is loaded, i.e. at "import torch". Set it first so that
# --threads governs every pool (an explicit setting in the environment wins).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, str(THREADS))
# Debian's torch runs its elementwise kernels on libgomp threads and its
# matmuls on OpenBLAS's own pthreads. With libgomp's default wait policy the
# OpenMP workers keep spinning after each parallel region while OpenBLAS wants
# the same cores: measured on an idle 2-core machine, S1 drops from ~32k to
# ~9k tokens/s. PASSIVE makes idle OpenMP workers sleep at once.
if ARGS.omp_wait_policy == "passive":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.exit("bench_cpu_torch.py: no torch in %s (on Debian: apt-get install python3-torch, "
             "then run with /usr/bin/python3)" % sys.executable)

HAS_SDPA = hasattr(F, "scaled_dot_product_attention")  # torch >= 2.0


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rope_tables(seq, head_dim, theta=10000.0):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    pos = torch.arange(seq, dtype=torch.float32)
    freqs = torch.outer(pos, inv_freq)          # [T, hd/2]
    emb = torch.cat((freqs, freqs), dim=-1)     # [T, hd] (HF layout)
    return emb.cos(), emb.sin()


def causal_attention(q, k, v):
    # q, k, v: [B, H, T, hd]
    if HAS_SDPA:
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    T = q.shape[-2]
    scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(q.shape[-1]))
    mask = torch.ones(T, T, dtype=torch.bool).triu(1)
    scores = scores.masked_fill(mask, float("-inf"))
    return torch.matmul(torch.softmax(scores, dim=-1), v)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = d // heads
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)

    def forward(self, x, cos, sin):
        B, T, C = x.shape
        shape = (B, T, self.heads, self.head_dim)
        q = self.q_proj(x).view(shape).transpose(1, 2)
        k = self.k_proj(x).view(shape).transpose(1, 2)
        v = self.v_proj(x).view(shape).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        y = causal_attention(q, k, v)
        return self.o_proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, d, ff):
        super().__init__()
        self.gate_proj = nn.Linear(d, ff, bias=False)
        self.up_proj = nn.Linear(d, ff, bias=False)
        self.down_proj = nn.Linear(ff, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.input_layernorm = RMSNorm(d)
        self.self_attn = Attention(d, heads)
        self.post_attention_layernorm = RMSNorm(d)
        self.mlp = MLP(d, ff)

    def forward(self, x, cos, sin):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaLM(nn.Module):
    def __init__(self, vocab, d, layers, heads, seq):
        super().__init__()
        assert d % heads == 0 and (d // heads) % 2 == 0, "head dim must be even"
        ff = math.ceil(8 * d / 3 / 64) * 64
        self.vocab = vocab
        self.embed_tokens = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList([DecoderLayer(d, heads, ff) for _ in range(layers)])
        self.norm = RMSNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        cos, sin = rope_tables(seq, d // heads)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def forward(self, idx, targets):
        x = self.embed_tokens(idx)
        for layer in self.layers:
            x = layer(x, self.cos, self.sin)
        logits = self.lm_head(self.norm(x))
        return F.cross_entropy(logits.view(-1, self.vocab), targets.view(-1))


class LSTMLM(nn.Module):
    def __init__(self, vocab, d, layers):
        super().__init__()
        self.vocab = vocab
        self.embed_tokens = nn.Embedding(vocab, d)
        self.lstm = nn.LSTM(d, d, num_layers=layers, batch_first=True)
        self.norm = RMSNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx, targets):
        x, _ = self.lstm(self.embed_tokens(idx))
        logits = self.lm_head(self.norm(x))
        return F.cross_entropy(logits.view(-1, self.vocab), targets.view(-1))


def cpu_busy_seconds():
    """Seconds of CPU time the whole machine has spent busy (Linux), or None."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait
    except (OSError, ValueError, IndexError):
        return None


def self_cpu_seconds():
    t = os.times()
    return t.user + t.system


def make_adamw(params):
    kw = dict(lr=3e-4, weight_decay=0.1)
    try:
        return torch.optim.AdamW(params, foreach=True, **kw)
    except TypeError:  # very old torch without the foreach argument
        return torch.optim.AdamW(params, **kw)


def bench_matmul(n, reps):
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    for _ in range(3):
        torch.mm(a, b)
    t0 = time.perf_counter()
    for _ in range(reps):
        torch.mm(a, b)
    dt = (time.perf_counter() - t0) / reps
    print(json.dumps({"impl": "pytorch-matmul", "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "n": n,
                      "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
                      "ms": round(dt * 1e3, 3), "gflops": round(2 * n ** 3 / dt / 1e9, 2)}),
          flush=True)


def main():
    a, threads = ARGS, THREADS
    torch.set_num_threads(threads)
    torch.manual_seed(a.seed)

    if a.matmul > 0:
        bench_matmul(a.matmul, max(a.steps, 10))
        return

    V, d, L, H, B, T = a.vocab, a.d, a.layers, a.heads, a.batch, a.seq
    if a.arch == "lstm":
        model = LSTMLM(V, d, L)
    else:
        model = LlamaLM(V, d, L, H, T)
    model.train()
    opt = make_adamw(model.parameters())

    N = sum(p.numel() for p in model.parameters())
    nonembed = N - 2 * V * d            # excludes both the embedding and the lm head
    if a.arch == "lstm":
        flops_per_token = 6 * (L * 8 * d * d + V * d)
    else:
        flops_per_token = 6 * nonembed + 6 * V * d + 6 * L * d * T

    idx = torch.randint(0, V, (B, T))
    tgt = torch.randint(0, V, (B, T))

    def step():
        loss = model(idx, tgt)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    for _ in range(a.warmup):
        step()
    times = []
    busy0, self0 = cpu_busy_seconds(), self_cpu_seconds()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        ts = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - ts)
    wall = time.perf_counter() - t0
    dt = wall / max(a.steps, 1)
    busy1, self1 = cpu_busy_seconds(), self_cpu_seconds()
    # cores kept busy by *other* processes while we were timing: on a shared
    # machine anything much above 0 means the numbers are not trustworthy.
    other = None
    if busy0 is not None and busy1 is not None and wall > 0:
        other = round(max(0.0, (busy1 - busy0) - (self1 - self0)) / wall, 2)
    med = statistics.median(times)

    tok_s = B * T / dt
    print(json.dumps({
        "impl": "pytorch", "arch": a.arch, "torch": torch.__version__, "threads": threads,
        "vocab": V, "d": d, "layers": L, "heads": H, "batch": B, "seq": T,
        "params": N, "nonembed_params": nonembed,
        "tok_s": round(tok_s, 1), "gflops": round(tok_s * flops_per_token / 1e9, 3),
        "step_ms": round(dt * 1e3, 2),
        # the mean above is what tok_s/gflops use; the median and min are less
        # sensitive to other load on a shared machine
        "step_ms_median": round(med * 1e3, 2), "step_ms_min": round(min(times) * 1e3, 2),
        "tok_s_median": round(B * T / med, 1),
        "flops_per_token": flops_per_token,
        "attn": "sdpa" if HAS_SDPA else "matmul-softmax",
        "loss": round(loss.item(), 4),
        "other_load_cores": other,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
    }), flush=True)


if __name__ == "__main__":
    main()
