#!/usr/bin/env bash
# The CPU miniature of a scaling study, on the Go tree's source (45M tokens
# with a 1024-token BPE), in two sweeps fitted together:
#
#   grid     4 model sizes (0.1M to 0.85M non-embedding parameters) x 5 token
#            budgets (0.5M to 8M);
#   isoflop  5 model sizes (0.1M to 1.9M) at 4 compute budgets (1.5e12 to
#            1.5e13 FLOPs, D = C / 6N from 0.3M to 23M tokens).
#
# Both use warmup-stable-decay branches (one constant-LR run per size, short
# decays branched off at each budget). Then the fits, the limit test, the
# plots and the report. About 22 minutes on two cores.
#
#   scripts/sweep-cpu.sh [OUT]          # default runs/sweep-cpu
#
# It is resumable: run it again after an interruption and finished runs are
# kept, the interrupted one resumes from its checkpoint. The report lands in
# OUT/report/ (README.md and report.html).
#
# Environment (defaults in brackets): DATA [gosrc]  TOKENIZER [bpe:1024]
#   SEQ [128]  BATCH_TOKENS [4096]  BOOTSTRAP [200]  THREADS [0: all cores]
#   FINAL_EVAL_BATCHES [32: each run's last evaluation, the loss the fits
#   use, reads 131k held-out tokens; the passes along the way read 32k]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${1:-runs/sweep-cpu}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/sweep" ./cmd/sweep
go build -o "$bin/fit" ./cmd/fit

common=(-data "${DATA:-gosrc}" -tokenizer "${TOKENIZER:-bpe:1024}" -mode wsd
  -seq "${SEQ:-128}" -batch-tokens "${BATCH_TOKENS:-4096}" -threads "${THREADS:-0}"
  -final-eval-batches "${FINAL_EVAL_BATCHES:-32}")
"$bin/sweep" -out "$out/grid" "${common[@]}" \
  -presets n100k,n200k,n400k,n800k -tokens 0.5M,1M,2M,4M,8M
"$bin/sweep" -out "$out/isoflop" "${common[@]}" \
  -presets n100k,n200k,n400k,n800k,n2m -flops 1.5e12,3.2e12,7e12,1.5e13
"$bin/fit" -runs "$out" -out "$out/report" -bootstrap "${BOOTSTRAP:-200}" \
  -title "The CPU miniature: the Go source, 0.1M to 1.9M parameters"
