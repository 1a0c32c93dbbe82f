#!/usr/bin/env bash
# The reference scaling study for one GPU: six model sizes (1.9M to 50M
# non-embedding parameters) by five token budgets (6.25M to 100M) of the Go
# tree's source with a 4096-token BPE, warmup-stable-decay branches, bf16
# GEMMs; then the fits, the limit test, the plots and the HTML report.
# 6ND adds up to 8.4e16 FLOPs of training: about an hour at 2e13 FLOP/s.
# That rate is an estimate, not a measurement: the script prints the plan's
# own estimate first (-dry-run), and the progress lines give the measured
# rate and ETA once the first runs finish.
#
#   scripts/sweep-gpu.sh [OUT]          # default runs/sweep-gpu
#
# Resumable: run it again after an interruption. The report lands in
# OUT/report/report.html.
#
# It builds cmd/sweep with -tags plateau_cuda (needs the CUDA toolkit's
# cuBLAS headers and libraries; see README "GPU"), or uses SWEEP_BIN, a
# binary built elsewhere (scripts/build-gpu.sh ./cmd/sweep puts one in
# .gpu/sweep). Run with LD_LIBRARY_PATH including the CUDA libraries.
#
# Environment (defaults in brackets):
#   DATA [gosrc]  TOKENIZER [bpe:4096]  PRESETS [n2m,n3m5,n6m,n13m,n25m,n50m]
#   TOKENS [6.25M,12.5M,25M,50M,100M]  SEQ [512]  BATCH_TOKENS [65536]
#   MODE [wsd]  DEVICE [cuda]  PRECISION [bf16]  BOOTSTRAP [200]
#   FINAL_EVAL_BATCHES [64: each run's last evaluation, the loss the fits
#   use, reads 64 batches (4M tokens) of the held-out set]
#   SWEEP_BIN [build it]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${1:-runs/sweep-gpu}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
sweep=${SWEEP_BIN:-}
if [ -z "$sweep" ]; then
  go build -tags plateau_cuda -o "$bin/sweep" ./cmd/sweep
  sweep="$bin/sweep"
fi
go build -o "$bin/fit" ./cmd/fit

args=(-out "$out"
  -data "${DATA:-gosrc}" -tokenizer "${TOKENIZER:-bpe:4096}"
  -presets "${PRESETS:-n2m,n3m5,n6m,n13m,n25m,n50m}" -tokens "${TOKENS:-6.25M,12.5M,25M,50M,100M}"
  -mode "${MODE:-wsd}" -seq "${SEQ:-512}" -batch-tokens "${BATCH_TOKENS:-65536}"
  -final-eval-batches "${FINAL_EVAL_BATCHES:-64}"
  -device "${DEVICE:-cuda}" -precision "${PRECISION:-bf16}")
"$sweep" "${args[@]}" -dry-run
"$sweep" "${args[@]}"
"$bin/fit" -runs "$out" -out "$out/report" -bootstrap "${BOOTSTRAP:-200}"
