#!/usr/bin/env bash
# Does the fit find the floor where it is? A sweep on a synthetic source whose
# entropy rate H is known in closed form (the lowest loss any model can
# reach), then the fits on more and more of its runs: Approach 3's E with its
# bootstrap interval, and the largest size's own floor E_N (L(D) = E_N +
# B/D^beta over its runs alone), against H, as the largest budget grows.
#
#   scripts/entropy-check.sh [OUT]      # default runs/entropy-check
#
# Environment (defaults in brackets): DATA [synthetic:markov1]
#   PRESETS [n100k,n200k,n400k]  TOKENS [128k,256k,512k,1M,2M,4M]  SEQ [64]
#   BATCH_TOKENS [2048]  BOOTSTRAP [200]
# Needs jq. Resumable like every sweep. Prints one table row per subset; each subset's
# report is in OUT/fit-upto-D/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${1:-runs/entropy-check}
tokens=${TOKENS:-128k,256k,512k,1M,2M,4M}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/sweep" ./cmd/sweep
go build -o "$bin/fit" ./cmd/fit

"$bin/sweep" -out "$out" -data "${DATA:-synthetic:markov1}" \
  -presets "${PRESETS:-n100k,n200k,n400k}" -tokens "$tokens" -mode wsd \
  -seq "${SEQ:-64}" -batch-tokens "${BATCH_TOKENS:-2048}" -min-steps 20 \
  -final-eval-batches "${FINAL_EVAL_BATCHES:-32}"
"$bin/fit" -runs "$out" -out "$out/fit-all" -bootstrap "${BOOTSTRAP:-200}" 2>/dev/null

h=$(jq -r '.options.entropy' "$out/fit-all/fit.json")
# The subsets: every run up to the k-th largest budget, for k = 3, 4, ...
mapfile -t budgets < <(tail -n +2 "$out/fit-all/points.csv" | cut -d, -f4 | sort -g -u)
printf '| runs | largest D | joint fit: E [95%% interval] | E - H | largest size: E_N | E_N - H |\n| --- | --- | --- | --- | --- | --- |\n'
for ((k = 2; k < ${#budgets[@]}; k++)); do
  max=${budgets[$k]}
  sub="$out/fit-upto-$max"
  mkdir -p "$sub"
  awk -F, -v max="$max" 'NR == 1 || $4 + 0 <= max + 0' "$out/fit-all/points.csv" >"$sub/in.csv"
  "$bin/fit" -points "$sub/in.csv" -out "$sub" -bootstrap "${BOOTSTRAP:-200}" -entropy "$h" 2>/dev/null
  jq -r --arg n "$(($(wc -l <"$sub/in.csv") - 1))" --arg d "$max" '
    def r: . * 10000 | round / 10000;
    .law.intervals.E as $e | .options.entropy as $h | (.limit.entropy.floors // [] | last) as $f |
    "| \($n) | \($d | tonumber) | \($e.value | r) [\($e.lo | r), \($e.hi | r)] | \(($e.value - $h) | r) | \(if $f then ($f.E | r) else "-" end) | \(if $f then (($f.E - $h) | r) else "-" end) |"' "$sub/fit.json"
done
