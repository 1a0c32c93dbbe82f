#!/usr/bin/env bash
# Fails when the PTX committed in kernels/cuda/ptx/ is not what nvcc makes of
# the .cu sources now: a kernel was edited without `go generate
# ./kernels/cuda`, or a .ptx is missing or left over. CI runs it.
#
#   scripts/check-ptx.sh
#
# The committed PTX records the nvcc that made it in its header; a different
# nvcc release makes different PTX, so the check names both versions when
# they differ (regenerate with the release CI uses: CUDA 11.8, as installed
# by scripts/cuda-headers.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
committed="$root/kernels/cuda/ptx"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$root/scripts/gen-ptx.sh" "$tmp/a"
status=0
# A second run from another folder and environment: nvcc must make the same
# PTX every time, or this check would fail at random.
mkdir -p "$tmp/src/kernels/cuda" "$tmp/src/scripts"
cp "$root/kernels/cuda/"*.cu "$root/kernels/cuda/"*.cuh "$tmp/src/kernels/cuda/"
cp "$root/scripts/gen-ptx.sh" "$tmp/src/scripts/"
PLATEAU_PTX_PAD="$(printf '%0512d' 0)" "$tmp/src/scripts/gen-ptx.sh" "$tmp/b"
if ! d="$(diff -rq "$tmp/a" "$tmp/b" 2>&1)"; then
  echo "check-ptx: nvcc made different PTX from the same sources in two runs:" >&2
  printf '%s\n' "$d" >&2
  status=1
fi
want="$(grep -h -m1 'Cuda compilation tools' "$committed"/*.ptx 2>/dev/null | sort -u | head -1 || true)"
have="$(grep -h -m1 'Cuda compilation tools' "$tmp/a"/*.ptx | sort -u | head -1)"
if [ "$want" != "$have" ]; then
  echo "check-ptx: committed PTX was made by '${want#// }', this nvcc is '${have#// }'" >&2
  status=1
fi
if ! d="$(diff -r "$committed" "$tmp/a" 2>&1)"; then
  echo "check-ptx: kernels/cuda/ptx differs from the .cu sources; run: go generate ./kernels/cuda" >&2
  printf '%s\n' "$d" | head -40 >&2
  status=1
fi
[ "$status" = 0 ] && echo "check-ptx: kernels/cuda/ptx matches the sources"
exit "$status"
