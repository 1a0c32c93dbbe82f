#!/usr/bin/env bash
# Does the limit test find a floor it should find? A CPU scaling study on
# synthetic:rules, a source whose loss falls as a power law in N and D
# towards a floor H known in closed form (data.RulesConfig): rules of
# Zipf-distributed frequency, each a chain a model must memorise, on top of
# noise of known entropy. One sweep, warmup-stable-decay branches off one
# constant-LR run per size:
#
#   grid     4 model sizes (0.1M to 0.85M non-embedding parameters) x 4
#            token budgets (0.5M to 4M);
#   isoflop  the same sizes at 3 compute budgets (1e12 to 4e12 FLOPs,
#            D = C / 6N from 0.2M to 6.2M tokens).
#
# Then the fits, the limit test with E tested against H, the plots and the
# report (OUT/report/), and the same fit restricted to the smaller budgets
# (OUT/small/report/: the grid's budgets up to SMALL_TOKENS, the IsoFLOP
# budgets up to SMALL_FLOPS), far from the floor, where the test must not
# cry wolf. The small fit reads copies of those runs' records: a sweep of
# the smaller budgets alone trains the same runs step for step (a wsd
# branch does not depend on the longer budgets; only where the stable
# run's evaluations fall differs). More than 45 minutes on two cores: on a
# shared machine the sweep had 26 of its 28 runs after 43 minutes.
#
#   scripts/floor-cpu.sh [OUT]          # default runs/floor-cpu
#
# Resumable like every sweep. Environment (defaults in brackets):
#   DATA [synthetic:rules: the default rules, 16.8M training tokens]
#   PRESETS [n100k,n200k,n400k,n800k]  TOKENS [0.5M,1M,2M,4M]
#   FLOPS [1e12,2e12,4e12]  SMALL_TOKENS [1000000]  SMALL_FLOPS [2e12]
#   SEQ [256, a multiple of the source's segment]  BATCH_TOKENS [4096]
#   FINAL_EVAL_BATCHES [64: the whole held-out set]  BOOTSTRAP [200]
#   THREADS [0: all cores]
# Needs jq.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${1:-runs/floor-cpu}
data=${DATA:-synthetic:rules}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/sweep" ./cmd/sweep
go build -o "$bin/fit" ./cmd/fit

start=$(date +%s)
"$bin/sweep" -out "$out/sweep" -data "$data" -mode wsd \
  -presets "${PRESETS:-n100k,n200k,n400k,n800k}" -tokens "${TOKENS:-0.5M,1M,2M,4M}" -flops "${FLOPS:-1e12,2e12,4e12}" \
  -seq "${SEQ:-256}" -batch-tokens "${BATCH_TOKENS:-4096}" -threads "${THREADS:-0}" -min-steps 20 \
  -final-eval-batches "${FINAL_EVAL_BATCHES:-64}"
echo "floor-cpu: sweep took $(($(date +%s) - start)) s"
"$bin/fit" -runs "$out/sweep" -out "$out/report" -bootstrap "${BOOTSTRAP:-200}" \
  -title "A known floor: synthetic:rules, 0.1M to 0.85M parameters"

# The smaller budgets alone: a sweep folder holding the records (not the
# checkpoints) of those runs, and the plan cut to them.
small_tokens=${SMALL_TOKENS:-1000000}
small_flops=${SMALL_FLOPS:-2e12}
small="$out/small/sweep"
rm -rf "$out/small"
mkdir -p "$small/runs"
jq --argjson t "$small_tokens" --argjson c "$small_flops" \
  '.tokens |= map(select(. <= $t)) | .flops |= map(select(. <= $c))' "$out/sweep/plan.json" >"$small/plan.json"
tail -n +2 "$out/sweep/results.csv" | awk -F, -v t="$small_tokens" -v c="$small_flops" \
  '($6 == "" && $4 + 0 <= t + 0) || ($6 != "" && $6 + 0 <= c * 1.0001) { print $1 }' | while read -r run; do
  mkdir -p "$small/runs/$run"
  cp "$out/sweep/runs/$run"/{config.json,metrics.jsonl,result.json} "$small/runs/$run/"
done
"$bin/fit" -runs "$small" -out "$out/small/report" -bootstrap "${BOOTSTRAP:-200}" \
  -title "A known floor, the smaller budgets only: D up to $small_tokens, C up to $small_flops FLOPs"
