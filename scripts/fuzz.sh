#!/usr/bin/env bash
# Fuzzes every target in the module for a fixed number of executions each:
#
#   scripts/fuzz.sh [EXECS]     # default 4000 executions per target
#
# Targets are found, not listed: every `func FuzzX` in a *_test.go file
# (files behind a //go:build constraint are left out; they need their tag),
# so a reader that gains a fuzz target is covered without editing this
# script. Each runs as
#
#   go test -run '^$' -fuzz '^FuzzX$' -fuzztime EXECSx -fuzzminimizetime 100x ./pkg
#
# The budget is a count of executions, not a time: with a duration, Go's
# fuzzing coordinator races its own deadline and can fail a target with
# "context deadline exceeded" and no failing input on a busy machine; a
# count has no deadline, so a slow machine only takes longer. Targets that
# write files on every execution (listed in `slow` below) run a tenth of the
# count, so that each target takes seconds. The seed
# corpus of every target also runs as a plain test in `go test ./...`.
# FUZZ_MINIMIZE overrides the 100x (executions spent shrinking each new
# input). A target that crashes, panics or hangs fails the script, which
# still runs the others and lists the failures at the end. go test writes
# the input that failed to pkg/testdata/fuzz/FuzzX/, where every plain
# `go test` replays it from then on: commit it with the fix, as a
# regression case.
set -euo pipefail
cd "$(dirname "$0")/.."

execs=${1:-4000}
case "$execs" in
'' | *[!0-9]* | 0)
  echo "usage: scripts/fuzz.sh [EXECS]  (a positive whole number of executions per target; default 4000)" >&2
  exit 2
  ;;
esac
# slow targets: a write and a read back of a file per execution (about 70
# executions a second on two busy cores, against thousands for the others).
slow=" FuzzWriteReadBack "
minimize=${FUZZ_MINIMIZE:-100x}

targets=$(grep -rIHo --include='*_test.go' --exclude-dir=.git --exclude-dir=testdata -E '^func Fuzz[A-Za-z0-9_]*' . |
  sed -E 's|^\./||; s|:func |:|' | sort -u)
if [ -z "$targets" ]; then
  echo "no fuzz targets found" >&2
  exit 1
fi

failed=()
ran=0
while IFS=: read -r file name; do
  if grep -q '^//go:build' "$file"; then
    echo "== skip $name in $file: behind a build constraint"
    continue
  fi
  pkg=./$(dirname "$file")
  n=$execs
  case "$slow" in *" $name "*) n=$(((execs + 9) / 10)) ;; esac
  echo "== $pkg $name ($n executions)"
  ran=$((ran + 1))
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "${n}x" -fuzzminimizetime "$minimize" "$pkg"; then
    failed+=("$pkg $name")
  fi
done <<<"$targets"

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing failed in ${#failed[@]} of $ran targets (the inputs are in testdata/fuzz beside them):" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "fuzzed $ran targets for ${execs} executions each (a tenth for the slow ones): no failures"
