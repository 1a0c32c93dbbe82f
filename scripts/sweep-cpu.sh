#!/usr/bin/env bash
# The CPU miniature of a scaling study: four model sizes (0.1M to 0.85M
# non-embedding parameters) by five token budgets (0.5M to 8M) of the Go
# tree's source, warmup-stable-decay branches (one constant-LR run per size,
# short decays branched off at each budget), then the fits, the limit test,
# the plots and the HTML report. About 15 minutes on two cores.
#
#   scripts/sweep-cpu.sh [OUT]          # default runs/sweep-cpu
#
# It is resumable: run it again after an interruption and finished runs are
# kept, the interrupted one resumes from its checkpoint. The report lands in
# OUT/report/report.html.
#
# Environment (defaults in brackets):
#   DATA [gosrc]  TOKENIZER [bpe:1024]  PRESETS [n100k,n200k,n400k,n800k]
#   TOKENS [0.5M,1M,2M,4M,8M]  SEQ [128]  BATCH_TOKENS [4096]  MODE [wsd]
#   BOOTSTRAP [200]  THREADS [0: all cores]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${1:-runs/sweep-cpu}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/sweep" ./cmd/sweep
go build -o "$bin/fit" ./cmd/fit

"$bin/sweep" -out "$out" \
  -data "${DATA:-gosrc}" -tokenizer "${TOKENIZER:-bpe:1024}" \
  -presets "${PRESETS:-n100k,n200k,n400k,n800k}" -tokens "${TOKENS:-0.5M,1M,2M,4M,8M}" \
  -mode "${MODE:-wsd}" -seq "${SEQ:-128}" -batch-tokens "${BATCH_TOKENS:-4096}" \
  -threads "${THREADS:-0}"
"$bin/fit" -runs "$out" -out "$out/report" -bootstrap "${BOOTSTRAP:-200}"
