#!/usr/bin/env bash
# Fuzzes every target in the module for a bounded time each:
#
#   scripts/fuzz.sh [SECONDS]     # default 10 seconds per target
#
# Targets are found, not listed: every `func FuzzX` in a *_test.go file
# (files behind a //go:build constraint are left out; they need their tag),
# so a reader that gains a fuzz target is covered without editing this
# script. Each runs as
#
#   go test -run '^$' -fuzz '^FuzzX$' -fuzztime SECONDSs -fuzzminimizetime 2s ./pkg
#
# (FUZZ_MINIMIZE overrides the 2s: the time spent shrinking each new input;
# targets that touch the disk would otherwise spend their whole budget on
# it). A target that crashes, panics or hangs fails the script, which still
# runs the others and lists the failures at the end. go test writes the
# input that failed to pkg/testdata/fuzz/FuzzX/, where every plain `go test`
# replays it from then on: commit it with the fix, as a regression case.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-10}
case "$secs" in
'' | *[!0-9]* | 0)
  echo "usage: scripts/fuzz.sh [SECONDS]  (a positive whole number; default 10)" >&2
  exit 2
  ;;
esac
minimize=${FUZZ_MINIMIZE:-2s}

targets=$(grep -rIHo --include='*_test.go' --exclude-dir=.git --exclude-dir=testdata -E '^func Fuzz[A-Za-z0-9_]*' . |
  sed -E 's|^\./||; s|:func |:|' | sort -u)
if [ -z "$targets" ]; then
  echo "no fuzz targets found" >&2
  exit 1
fi

# fuzz runs one target. Go's fuzzing engine sometimes ends a run with
# "context deadline exceeded" when the time is up while a worker is still
# busy, without any failing input; such a run is tried again (three tries in
# all). Only a failure that leaves an input in testdata/fuzz, or one that
# happens on every try, counts.
fuzz() {
  local pkg=$1 name=$2 log corpus before
  corpus="$pkg/testdata/fuzz/$name"
  before=$(ls "$corpus" 2>/dev/null | wc -l)
  log=$(mktemp)
  for attempt in 1 2 3; do
    if go test -run '^$' -fuzz "^${name}\$" -fuzztime "${secs}s" -fuzzminimizetime "$minimize" "$pkg" 2>&1 | tee "$log"; then
      rm -f "$log"
      return 0
    fi
    if [ "$attempt" -lt 3 ] && grep -q 'context deadline exceeded' "$log" &&
      [ "$(ls "$corpus" 2>/dev/null | wc -l)" = "$before" ]; then
      echo "== $pkg $name: the fuzzing engine timed out with no failing input; trying again"
      continue
    fi
    break
  done
  rm -f "$log"
  return 1
}

failed=()
ran=0
while IFS=: read -r file name; do
  if grep -q '^//go:build' "$file"; then
    echo "== skip $name in $file: behind a build constraint"
    continue
  fi
  pkg=./$(dirname "$file")
  echo "== $pkg $name (${secs}s)"
  ran=$((ran + 1))
  if ! fuzz "$pkg" "$name"; then
    failed+=("$pkg $name")
  fi
done <<<"$targets"

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing failed in ${#failed[@]} of $ran targets (the inputs are in testdata/fuzz beside them):" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "fuzzed $ran targets for ${secs}s each: no failures"
