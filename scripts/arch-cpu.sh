#!/usr/bin/env bash
# The CPU comparison of model families: does the LSTM flatten where the
# transformer keeps improving? Both families over the same five rungs of
# the ladder (0.1M to 1.9M non-embedding parameters: n100k..n2m and
# lstm100k..lstm2m) by four token budgets (0.25M to 2M) of the Go tree's
# source with a 1024-token BPE, warmup-stable-decay branches, the same
# hyperparameter rules (the LSTM's learning rate scaled by
# hparams.lstm_lr_factor); the interpolated Kneser-Ney n-gram baseline
# fitted on the same budgets; then the fits per family, the limit test of
# each, and one report that puts them side by side (OUT/report/). The
# committed study took 1h58m on two cores shared with other work (load
# average about 8); docs/arch-cpu/summary.md says what it found.
#
#   scripts/arch-cpu.sh [OUT]          # default runs/arch-cpu
#
# Resumable: run it again after an interruption and finished runs are
# kept. docs/arch-cpu/ is the report it wrote here, with the sweep's plan,
# results.csv and ngram.csv.
#
# Environment (defaults in brackets): DATA [gosrc]  TOKENIZER [bpe:1024]
#   PRESETS [n100k,n200k,n400k,n800k,n2m]  TOKENS [0.25M,0.5M,1M,2M]
#   SEQ [128]  BATCH_TOKENS [4096]  BOOTSTRAP [200]  THREADS [0: all cores]
#   FINAL_EVAL_BATCHES [32: each run's last evaluation, the loss the fits
#   use and the loss by position, reads 131k held-out tokens]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${1:-runs/arch-cpu}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
for c in sweep ngram fit; do go build -o "$bin/$c" "./cmd/$c"; done

start=$SECONDS
"$bin/sweep" -out "$out/sweep" -arch transformer,lstm \
  -presets "${PRESETS:-n100k,n200k,n400k,n800k,n2m}" -tokens "${TOKENS:-0.25M,0.5M,1M,2M}" \
  -data "${DATA:-gosrc}" -tokenizer "${TOKENIZER:-bpe:1024}" -mode wsd \
  -seq "${SEQ:-128}" -batch-tokens "${BATCH_TOKENS:-4096}" -threads "${THREADS:-0}" \
  -final-eval-batches "${FINAL_EVAL_BATCHES:-32}"
echo "arch-cpu: sweep done in $(((SECONDS - start) / 60))m$(((SECONDS - start) % 60))s" >&2
"$bin/ngram" -sweep "$out/sweep"
"$bin/fit" -runs "$out/sweep" -ngram "$out/sweep/ngram.csv" -out "$out/report" -bootstrap "${BOOTSTRAP:-200}" \
  -title "Transformer against LSTM on the Go source, 0.1M to 1.9M parameters, on the CPU"
echo "arch-cpu: done in $(((SECONDS - start) / 60))m$(((SECONDS - start) % 60))s; report in $out/report/" >&2
