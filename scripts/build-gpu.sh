#!/usr/bin/env bash
# Builds, on a machine without a GPU, what scripts/gpu-check.sh runs on a GPU
# machine, into .gpu/ (ignored by git):
#   .gpu/cuda.test            the kernels/cuda test binary (-tags plateau_cuda)
#   .gpu/<name>               one binary per extra package given, e.g. ./cmd/train
#   .gpu/torch_reference.py   the PyTorch reference, copied from $TORCH_REFERENCE
#   .gpu/build-info           commit, Go and nvcc versions, the source folder
#
#   scripts/build-gpu.sh [PACKAGE...]
#
# The GPU machine runs a newer CUDA (13) than the headers here (Debian's
# 11.8, from scripts/cuda-headers.sh). cuBLAS is therefore linked through a
# stub library that carries the GPU machine's soname (libcublas.so.13), so
# the binary binds to the real library there (LD_LIBRARY_PATH=
# /usr/local/cuda/lib64); libcuda.so.1 is the driver's, as always. The stub
# binds by name: every cuBLAS call plateau makes (cublasCreate_v2,
# cublasSetStream_v2, cublasSetMathMode, cublasGemmEx, cublasDestroy_v2)
# has the same signature in CUDA 11.8 and 13.
#
# Environment: CUDA_SONAME_MAJOR (default 13), TORCH_REFERENCE (the PyTorch
# reference trainer to run beside plateau's benchmark; none by default).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
major="${CUDA_SONAME_MAJOR:-13}"
torch_ref="${TORCH_REFERENCE:-}"
out="$root/.gpu"
mkdir -p "$out"
[ -f /usr/include/cublas_v2.h ] || [ -f /usr/local/cuda/include/cublas_v2.h ] || {
  echo "build-gpu: no cuBLAS headers (install the CUDA toolkit, e.g. scripts/cuda-headers.sh)" >&2; exit 1; }

stub="$(mktemp -d)"
trap 'rm -rf "$stub"' EXIT
for lib in cublas cublasLt; do
  real="$(ls /usr/lib/x86_64-linux-gnu/lib$lib.so.* /usr/local/cuda/lib64/lib$lib.so.* 2>/dev/null | head -1 || true)"
  [ -n "$real" ] || { echo "build-gpu: lib$lib.so not found" >&2; exit 1; }
  nm -D --defined-only "$real" | awk '$2=="T"{print $3}' | sed 's/@.*//' | sort -u |
    awk '{print "void "$1"(void){}"}' >"$stub/$lib.c"
  gcc -shared -fPIC -o "$stub/lib$lib.so" "$stub/$lib.c" -Wl,-soname,"lib$lib.so.$major"
done
export CGO_LDFLAGS="-L$stub ${CGO_LDFLAGS:-}"

go test -c -tags plateau_cuda -ldflags="-s -w" -o "$out/cuda.test" ./kernels/cuda
for pkg in "$@"; do
  go build -tags plateau_cuda -ldflags="-s -w" -o "$out/$(basename "$pkg")" "$pkg"
done
if [ -n "$torch_ref" ] && [ -f "$torch_ref" ]; then
  cp -f "$torch_ref" "$out/torch_reference.py"
else
  echo "build-gpu: no TORCH_REFERENCE file (${torch_ref:-unset}); gpu-check.sh will skip the PyTorch reference" >&2
fi
{
  echo "commit $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
  echo "go $(go env GOVERSION)"
  echo "nvcc $(nvcc --version 2>/dev/null | sed -n 's/.*release \([0-9.]*\).*/\1/p')"
  echo "source $root"
} >"$out/build-info"
built=("$out/cuda.test")
for pkg in "$@"; do built+=("$out/$(basename "$pkg")"); done
for f in "${built[@]}"; do
  echo "built $f; needs: $(readelf -d "$f" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')"
done
