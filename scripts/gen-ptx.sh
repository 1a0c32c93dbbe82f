#!/usr/bin/env bash
# Compiles the CUDA kernels of kernels/cuda (*.cu) to PTX for compute
# capability 8.0 (Ampere; the driver JIT-compiles it for Hopper and later),
# one .ptx per .cu, into kernels/cuda/ptx/ or the folder given as $1.
# `go generate ./kernels/cuda` runs it; scripts/check-ptx.sh runs it into a
# temporary folder to check the committed PTX.
#
#   scripts/gen-ptx.sh [OUT_DIR]
#
# Needs nvcc, no GPU (scripts/cuda-headers.sh installs Debian's CUDA 11.8
# toolkit). The output is deterministic: nvcc writes no
# timestamps or paths into PTX without -lineinfo/-G, only its version in the
# header comment. Environment: NVCC (default nvcc).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/kernels/cuda"
out="${1:-$src/ptx}"
nvcc="${NVCC:-nvcc}"
command -v "$nvcc" >/dev/null || { echo "gen-ptx: $nvcc not found (install with scripts/cuda-headers.sh)" >&2; exit 1; }
mkdir -p "$out"
for cu in "$src"/*.cu; do
  name="$(basename "$cu" .cu)"
  # Compile from inside the source folder with relative names, so nothing
  # about where the repository lives can reach the output.
  (cd "$src" && "$nvcc" -ptx -arch=compute_80 -O3 -o "$out/$name.ptx.tmp" "$name.cu")
  mv "$out/$name.ptx.tmp" "$out/$name.ptx"
done
