#!/usr/bin/env bash
# The comparison of model families at GPU scale: scripts/arch-cpu.sh with
# six rungs of the ladder (1.9M to 51M non-embedding parameters,
# n2m..n50m and lstm2m..lstm50m) by five token budgets (6.25M to 100M) of
# the Go tree's source with a 4096-token BPE, context 512, bf16 GEMMs,
# warmup-stable-decay branches; the n-gram baseline on the same budgets
# (on the CPU); the fits per family and the side-by-side report in
# OUT/report/. 6ND adds up to about 1.7e17 FLOPs for both families; the
# script prints the plan's estimate first (-dry-run) and the progress lines
# give the measured rate and ETA once runs finish. Neither family has run
# at this scale yet: the CUDA device has not run on a GPU (README, "GPU").
#
#   scripts/arch-gpu.sh [OUT]          # default runs/arch-gpu
#
# Resumable. It builds cmd/sweep with -tags plateau_cuda, or uses SWEEP_BIN
# (scripts/build-gpu.sh ./cmd/sweep puts one in .gpu/sweep); run with
# LD_LIBRARY_PATH including the CUDA libraries.
#
# Environment (defaults in brackets): DATA [gosrc]  TOKENIZER [bpe:4096]
#   PRESETS [n2m,n3m5,n6m,n13m,n25m,n50m]  TOKENS [6.25M,12.5M,25M,50M,100M]
#   SEQ [512]  BATCH_TOKENS [65536]  DEVICE [cuda]  PRECISION [bf16]
#   BOOTSTRAP [200]  FINAL_EVAL_BATCHES [64]  NGRAM_ORDER [5]  SWEEP_BIN [build it]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${1:-runs/arch-gpu}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
sweep=${SWEEP_BIN:-}
if [ -z "$sweep" ]; then
  go build -tags plateau_cuda -o "$bin/sweep" ./cmd/sweep
  sweep="$bin/sweep"
fi
go build -o "$bin/ngram" ./cmd/ngram
go build -o "$bin/fit" ./cmd/fit

args=(-out "$out/sweep" -arch transformer,lstm
  -data "${DATA:-gosrc}" -tokenizer "${TOKENIZER:-bpe:4096}"
  -presets "${PRESETS:-n2m,n3m5,n6m,n13m,n25m,n50m}" -tokens "${TOKENS:-6.25M,12.5M,25M,50M,100M}"
  -mode wsd -seq "${SEQ:-512}" -batch-tokens "${BATCH_TOKENS:-65536}"
  -final-eval-batches "${FINAL_EVAL_BATCHES:-64}"
  -device "${DEVICE:-cuda}" -precision "${PRECISION:-bf16}")
"$sweep" "${args[@]}" -dry-run
"$sweep" "${args[@]}"
"$bin/ngram" -sweep "$out/sweep" -order "${NGRAM_ORDER:-5}"
"$bin/fit" -runs "$out/sweep" -ngram "$out/sweep/ngram.csv" -out "$out/report" -bootstrap "${BOOTSTRAP:-200}" \
  -title "Transformer against LSTM on the Go source, 1.9M to 51M parameters"
