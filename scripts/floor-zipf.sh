#!/usr/bin/env bash
# How do the exponents of synthetic:rules depend on its Zipf exponent s?
# A pilot: for each s, a small wsd sweep (two model sizes of different
# width x three token budgets, the settings of scripts/floor-cpu.sh), then
# the local exponents of the reducible loss L - H, which the source's known
# entropy H makes measurable without fitting a floor:
#
#   beta_N  the slope of log(L - H) against log D at fixed N (least squares
#           over the budgets), so that L - H ~ D^-beta_N;
#   alpha_D the slope of log(L - H) against log N at fixed D, between the
#           two sizes, so that L - H ~ N^-alpha_D.
#
# Beside them the count-based picture of the source (data.RulesConfig): a
# learner that knows every rule it has seen often enough has a reducible
# loss falling as D^-(s-1)/s, one that knows the first n rules as n^-(s-1).
#
#   scripts/floor-zipf.sh [OUT]         # default runs/floor-zipf
#
# Resumable like every sweep; each s has its sweep in OUT/zipf-S/ and its
# report in OUT/zipf-S/report/. Environment (defaults in brackets):
#   ZIPFS [1.5,2.5,3.5]  PRESETS [n100k,n400k]  TOKENS [0.5M,1M,2M]
#   SEQ [256]  BATCH_TOKENS [4096]  FINAL_EVAL_BATCHES [64]  THREADS [0]
# Prints one markdown table row per s. Needs jq.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${1:-runs/floor-zipf}
presets=${PRESETS:-n100k,n400k}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/sweep" ./cmd/sweep
go build -o "$bin/fit" ./cmd/fit

IFS=, read -r -a zipfs <<<"${ZIPFS:-1.5,2.5,3.5}"
for s in "${zipfs[@]}"; do
  start=$(date +%s)
  "$bin/sweep" -out "$out/zipf-$s" -data "synthetic:rules?zipf=$s" -mode wsd \
    -presets "$presets" -tokens "${TOKENS:-0.5M,1M,2M}" \
    -seq "${SEQ:-256}" -batch-tokens "${BATCH_TOKENS:-4096}" -threads "${THREADS:-0}" -min-steps 20 \
    -final-eval-batches "${FINAL_EVAL_BATCHES:-64}"
  echo "floor-zipf: s = $s: sweep took $(($(date +%s) - start)) s" >&2
  "$bin/fit" -runs "$out/zipf-$s" -out "$out/zipf-$s/report" -bootstrap 50 \
    -title "synthetic:rules?zipf=$s: the Zipf pilot" >/dev/null 2>&1 || true
done

printf '| s | H | sizes | budgets | beta_N by size | alpha_D by budget | count-based (s-1)/s, s-1 |\n| --- | --- | --- | --- | --- | --- | --- |\n'
for s in "${zipfs[@]}"; do
  dir="$out/zipf-$s/report"
  h=$(jq -r '.options.entropy' "$dir/fit.json")
  # points.csv: run,preset,params,tokens,flops,loss
  jq -R -s -r --argjson h "$h" --arg s "$s" '
    def slope(xy): (xy | length) as $k | (xy | map(.[0]) | add) as $sx | (xy | map(.[1]) | add) as $sy |
      (xy | map(.[0] * .[0]) | add) as $sxx | (xy | map(.[0] * .[1]) | add) as $sxy |
      ($k * $sxy - $sx * $sy) / ($k * $sxx - $sx * $sx);
    def r2: . * 100 | round / 100 | tostring;
    [split("\n")[1:][] | select(length > 0) | split(",") |
      {n: (.[2] | tonumber), d: (.[3] | tonumber), y: ((.[5] | tonumber) - $h | log)}] as $p |
    ($p | map(.n) | unique) as $ns | ($p | map(.d) | unique) as $ds | ($s | tonumber) as $z |
    [$ns[] as $n | -slope([$p[] | select(.n == $n) | [(.d | log), .y]]) | r2] as $beta |
    [$ds[] as $d | -slope([$p[] | select(.d == $d) | [(.n | log), .y]]) | r2] as $alpha |
    "| \($s) | \($h * 10000 | round / 10000) | \($ns | length) | \($ds | length) | \($beta | join(", ")) | \($alpha | join(", ")) | \(($z - 1) / $z | r2), \($z - 1 | r2) |"
  ' "$dir/points.csv"
done
