#!/usr/bin/env bash
# The GPU check, about 10 minutes on the GPU machine in phases that can be
# run separately (PHASES): test, the CUDA device's tests (every kernel
# against the CPU device, the tensor-core bf16 attention against the fp32
# kernels and the CPU, PyTorch's golden cases and random models in fp32,
# tf32 and bf16, a short training run, the error paths; CI runs the same
# tests on the emulated GPU, so what this phase adds is the hardware itself:
# its rounding and FMA contraction, the tensor cores, the real memory and
# scheduling); bench, BenchmarkTrainStep on the S, M and L shapes in the three
# precisions and BenchmarkAttention, attention alone on the CUDA cores (fp32)
# and on the tensor cores (bf16); torch,
# PyTorch's reference trainer on the same GPU; hf, plateau's model folders
# against transformers and tokenizers; decode, KV-cache decode speed at
# batch 1 and 64 beside transformers' generate. Everything it reports goes
# under $OUT.
#
# Prepare on the build machine (no GPU needed):
#   scripts/cuda-headers.sh                                  # once: nvcc and the CUDA 11.8 headers
#   TORCH_REFERENCE=path/to/torch_reference.py scripts/build-gpu.sh ./cmd/eval ./cmd/bench   # stripped, about 55 MB in all
# Run on the GPU machine, in a copy of the repository that includes .gpu/:
#   export LD_LIBRARY_PATH=/usr/local/cuda/lib64:$LD_LIBRARY_PATH
#   OUT=results scripts/gpu-check.sh
# Results, under $OUT:
#   summary.txt   one line per phase: status, exit code, seconds; the failed tests; the benchmark lines
#   gpu.txt       nvidia-smi
#   test.log      the tests, verbose
#   bench.txt     the benchmark output (tok/s, TFLOP/s, peak-GB per shape and precision;
#                 attention alone in fp32 and on the tensor cores)
#   torch.jsonl   PyTorch's lines (tok_s, mem_gb per shape and mode), torch.err its stderr
#   hf.jsonl      hf_check.py's verdicts for infer/testdata/tiny-text and the small-gqa golden case
#   decode.jsonl  plateau's and transformers' decode tokens/s
#   build-info    what was built, from which commit
#
# Environment: PHASES (default "test bench torch hf decode"), TEST_S,
# BENCH_S, TORCH_S, HF_S, DECODE_S (time limits per phase, default 140, 240,
# 180, 60, 90 seconds), BENCH_STEPS (timed steps per benchmark, default 10),
# PYTHON (default python3).
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${OUT:?set OUT to the folder for the results}"
phases="${PHASES:-test bench torch hf decode}"
test_s="${TEST_S:-140}"
bench_s="${BENCH_S:-240}"
torch_s="${TORCH_S:-180}"
hf_s="${HF_S:-60}"
decode_s="${DECODE_S:-90}"
summary="$out/summary.txt"
: >"$summary"
[ -x .gpu/cuda.test ] || { echo "no .gpu/cuda.test: run scripts/build-gpu.sh first and carry .gpu" | tee -a "$summary"; exit 1; }
cp .gpu/build-info "$out/" 2>/dev/null
nvidia-smi >"$out/gpu.txt" 2>&1

# The golden cases come from this copy of the repository.
export PLATEAU_GOLDEN="$PWD/model/testdata/golden"

# phase NAME LIMIT OUTFILE COMMAND...: runs COMMAND with a time limit and
# records how it ended.
phase() {
  local name=$1 limit=$2 log=$3
  shift 3
  case " $phases " in *" $name "*) ;; *) return ;; esac
  local t0=$SECONDS
  timeout --kill-after=10 "$limit" "$@" >"$log" 2>&1
  local rc=$?
  local status=ok
  [ $rc -ne 0 ] && status=FAILED
  [ $rc -eq 124 ] || [ $rc -eq 137 ] && status="TIMED OUT after ${limit}s"
  echo "$name: $status (exit $rc, $((SECONDS - t0))s)" >>"$summary"
}

phase test "$test_s" "$out/test.log" \
  bash -c "cd kernels/cuda && ../../.gpu/cuda.test -test.v -test.count=1 -test.timeout=$((test_s - 5))s"
grep -E '^\s*--- FAIL' "$out/test.log" >>"$summary" 2>/dev/null

phase bench "$bench_s" "$out/bench.txt" \
  bash -c "cd kernels/cuda && ../../.gpu/cuda.test -test.run '^\$' -test.bench 'BenchmarkTrainStep|BenchmarkAttention' -test.benchtime ${BENCH_STEPS:-10}x -test.timeout=$((bench_s - 5))s"
grep -E '^Benchmark' "$out/bench.txt" >>"$summary" 2>/dev/null

if [ -f .gpu/torch_reference.py ]; then
  phase torch "$torch_s" "$out/torch.err" bash -c "${PYTHON:-python3} .gpu/torch_reference.py >'$out/torch.jsonl'"
  cat "$out/torch.jsonl" >>"$summary" 2>/dev/null
else
  echo "torch: skipped (no .gpu/torch_reference.py)" >>"$summary"
fi
# Inference: plateau's model folders against transformers and tokenizers
# (needs .gpu/eval: build-gpu.sh ./cmd/eval), and KV-cache decode speed on
# the GPU beside transformers' generate (needs .gpu/bench).
if [ -x .gpu/eval ]; then
  phase hf "$hf_s" "$out/hf.jsonl" bash -c "
    ${PYTHON:-python3} scripts/hf_check.py --model infer/testdata/tiny-text --eval .gpu/eval &&
    ${PYTHON:-python3} scripts/hf_check.py --model model/testdata/golden/small-gqa --eval .gpu/eval"
  tail -n 2 "$out/hf.jsonl" >>"$summary" 2>/dev/null
fi
if [ -x .gpu/bench ]; then
  phase decode "$decode_s" "$out/decode.jsonl" bash -c "
    .gpu/bench -decode -device cuda -batch 1 -json && .gpu/bench -decode -device cuda -batch 64 -json &&
    ${PYTHON:-python3} scripts/bench_decode_hf.py --batch 1 64"
  cat "$out/decode.jsonl" >>"$summary" 2>/dev/null
fi
cat "$summary"
