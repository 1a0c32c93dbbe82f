#!/usr/bin/env bash
# Installs Debian's CUDA 11.8 toolkit (nvcc, headers, cuBLAS; the non-free
# component) on a Debian bookworm machine, GPU or not: enough to compile the
# plateau_cuda build and to regenerate the PTX. Idempotent; needs root; a
# few minutes the first time. On other systems install NVIDIA's CUDA 11.8 or
# 12.x toolkit instead (gorgonia.org/cu v0.9.6 does not compile against 13.x
# headers).
#
#   scripts/cuda-headers.sh
set -euo pipefail
if command -v nvcc >/dev/null && [ -f /usr/include/cuda.h ] && [ -f /usr/include/cublas_v2.h ]; then
  exit 0
fi
sources=/etc/apt/sources.list.d/debian.sources
if [ -f "$sources" ] && ! grep -q non-free "$sources"; then
  sed -i 's/^Components: main$/Components: main contrib non-free non-free-firmware/' "$sources"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends nvidia-cuda-toolkit nvidia-cuda-dev >/dev/null
nvcc --version | tail -1
