#!/usr/bin/env bash
# CPU training throughput, side by side: PyTorch (fp32) vs plateau (pure Go)
# vs plateau built with -tags openblas, on the two reference shapes; with
# ARCH=lstm, plateau's LSTM beside PyTorch's nn.LSTM on the shapes of
# lstm400k and lstm2m.
#
#   scripts/bench-cpu.sh
#   STEPS=30 WARMUP=5 THREADS=2 scripts/bench-cpu.sh
#   ARCH=lstm scripts/bench-cpu.sh
#   ROUNDS=3 ARCH=lstm scripts/bench-cpu.sh   # interleaved, for a shared machine
#
# Environment:
#   STEPS    timed training steps per run (default 20)
#   WARMUP   untimed steps before timing (default 3)
#   THREADS  threads for every implementation (default: all cores)
#   PYTHON   interpreter with torch (default: the first of /usr/bin/python3,
#            python3, python that can import torch)
#   ARCH     transformer (default) or lstm
#   SHAPES   which shapes to run, e.g. "S1" (default "S1 S2"; "L1 L2" with ARCH=lstm)
#   TORCH_ARGS  extra flags for scripts/bench_cpu_torch.py, e.g.
#            "--omp-wait-policy default" for stock libgomp spinning (much slower
#            with Debian's torch; see that script)
#   WAIT_IDLE  before each run, wait up to this many seconds for other
#            processes to use less than 0.2 cores (default 0: don't wait)
#   ROUNDS   how many times to run every implementation on every shape,
#            one after the other in turn (default 1); each round's ratios are
#            against that round's PyTorch run, so load that comes and goes
#            hits both sides of a ratio alike
#
# Every run prints one JSON line; the raw lines are kept and shown at the end
# after the table. An implementation that fails to build or run shows as n/a.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

STEPS=${STEPS:-20}
WARMUP=${WARMUP:-3}
THREADS=${THREADS:-$(nproc)}
ARCH=${ARCH:-transformer}
if [ "$ARCH" = lstm ]; then
	SHAPES=${SHAPES:-"L1 L2"}
else
	SHAPES=${SHAPES:-"S1 S2"}
fi
TORCH_ARGS=${TORCH_ARGS:-}
WAIT_IDLE=${WAIT_IDLE:-0}
ROUNDS=${ROUNDS:-1}

#        name  vocab d   layers heads batch seq
shape_S1=(512  128 2 4 16 128)
shape_S2=(4096 256 4 4 8  256)
shape_L1=(1024 168 2 0 32 128) # lstm400k
shape_L2=(1024 344 2 0 32 128) # lstm2m

log() { printf '%s\n' "$*" >&2; }

find_python() {
	local c
	for c in ${PYTHON:-} /usr/bin/python3 python3 python; do
		if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import torch' >/dev/null 2>&1; then
			command -v "$c"
			return 0
		fi
	done
	return 1
}

# Cores kept busy by other processes over a 1 s sample (Linux; "?" elsewhere).
# The machine may be shared: a busy one makes every number here unreliable.
background_load() {
	[ -r /proc/stat ] || { echo "?"; return; }
	local a b
	read -r -a a < /proc/stat
	sleep 1
	read -r -a b < /proc/stat
	local hz total=0 idle i
	hz=$(getconf CLK_TCK)
	for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
	idle=$((b[4] - a[4] + b[5] - a[5]))
	awk -v busy=$((total - idle)) -v hz="$hz" 'BEGIN { printf "%.2f", busy / hz }'
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
results=$tmp/results.jsonl
: >"$results"

PY=$(find_python) || PY=""
if [ -z "$PY" ]; then
	log "warning: no python with torch found (apt-get install python3-torch; or set PYTHON); PyTorch column will be n/a"
else
	log "pytorch: $PY ($("$PY" -c 'import torch; print(torch.__version__)'))"
fi

# Any python3 formats the table; no torch needed for that.
FMT=${PY:-$(command -v python3 || command -v /usr/bin/python3 || true)}
[ -n "$FMT" ] || { log "error: need python3 to format the results"; exit 1; }

# Build plateau's benchmark once, so compile time is never measured.
declare -A bin=()
build() { # label, go build args...
	local label=$1; shift
	log "building $label: go build $* -o $tmp/bench-$label ./cmd/bench"
	if go build "$@" -o "$tmp/bench-$label" ./cmd/bench 2>"$tmp/build-$label.log"; then
		bin[$label]=$tmp/bench-$label
	else
		log "warning: build of $label failed; its column will be n/a:"
		sed 's/^/    /' "$tmp/build-$label.log" | tail -n 15 >&2
	fi
}
build go
build openblas -tags openblas

# run LABEL SHAPE CMD...: runs CMD, keeps its last JSON line tagged with label/shape.
run() {
	local label=$1 shape=$2; shift 2
	local bg out line
	local waited=0
	bg=$(background_load)
	while [ "$waited" -lt "$WAIT_IDLE" ] && awk -v b="$bg" 'BEGIN { exit !(b + 0 >= 0.2) }'; do
		bg=$(background_load)
		waited=$((waited + 1))
	done
	log "[$shape] $label (background load ${bg} cores): $*"
	out=$tmp/out-$label-$shape
	if "$@" >"$out" 2>"$out.err"; then
		line=$(grep '^{' "$out" | tail -n 1 || true)
	else
		log "warning: $label failed on $shape (exit $?):"
		tail -n 15 "$out.err" | sed 's/^/    /' >&2
		line=""
	fi
	[ -n "$line" ] || line='{}'
	record "$label" "$shape" "$bg" "$line"
}

# record LABEL SHAPE BG JSON: appends JSON tagged with label/shape/background load.
record() {
	printf '%s\n' "$4" | "$FMT" -c '
import json, sys
try:
    r = json.loads(sys.stdin.read())
    assert isinstance(r, dict)
except Exception:
    r = {}
r.update(run_label=sys.argv[1], run_shape=sys.argv[2], run_bg=sys.argv[3])
print(json.dumps(r))' "$1" "$2" "$3" >>"$results"
}

for round in $(seq "$ROUNDS"); do
for shape in $SHAPES; do
	s=$shape
	[ "$ROUNDS" = 1 ] || s="$shape-r$round"
	declare -n sh="shape_$shape"
	V=${sh[0]} D=${sh[1]} L=${sh[2]} H=${sh[3]} B=${sh[4]} T=${sh[5]}
	if [ -n "$PY" ]; then
		run pytorch "$s" "$PY" scripts/bench_cpu_torch.py --arch "$ARCH" --vocab "$V" --d "$D" --layers "$L" \
			--heads "$H" --batch "$B" --seq "$T" --steps "$STEPS" --warmup "$WARMUP" --threads "$THREADS" $TORCH_ARGS
	else
		record pytorch "$s" "-" '{}'
	fi
	for label in go openblas; do
		if [ -n "${bin[$label]:-}" ]; then
			run "$label" "$s" env GOMAXPROCS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS" \
				"${bin[$label]}" -arch "$ARCH" -vocab "$V" -d "$D" -layers "$L" -heads "$H" -batch "$B" -seq "$T" -steps "$STEPS" -warmup "$WARMUP" -threads "$THREADS" -json
		else
			record "$label" "$s" "-" '{}'
		fi
	done
	unset -n sh
done
done

"$FMT" - "$results" "$THREADS" "$STEPS" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
names = {"pytorch": "pytorch fp32", "go": "plateau (pure Go)", "openblas": "plateau (openblas)"}
def num(r, k):
    v = r.get(k)
    return float(v) if isinstance(v, (int, float)) else None
def bg(r):
    # before the run / during it (the latter only where the impl reports it)
    during = r.get("other_load_cores")
    return r["run_bg"] if during is None else "%s/%.2f" % (r["run_bg"], during)
def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)
print()
print("threads=%s steps=%s" % (sys.argv[2], sys.argv[3]))
hdr = "%-6s %-20s %10s %9s %10s %11s  %s" % ("shape", "impl", "tok/s", "GFLOP/s", "step ms", "vs pytorch", "bg load")
print(hdr)
print("-" * len(hdr))
for shape in dict.fromkeys(r["run_shape"] for r in rows):
    rs = [r for r in rows if r["run_shape"] == shape]
    base = next((num(r, "tok_s") for r in rs if r["run_label"] == "pytorch"), None)
    for r in rs:
        tok = num(r, "tok_s")
        ratio = None if tok is None or not base else tok / base
        step = num(r, "step_ms")
        if step is None and tok:
            b, t = num(r, "batch"), num(r, "seq")
            step = 1e3 * b * t / tok if b and t else None
        print("%-6s %-20s %10s %9s %10s %11s  %s" % (
            shape, names.get(r["run_label"], r["run_label"]), fmt(tok, ",.0f"),
            fmt(num(r, "gflops"), ".2f"), fmt(step, ".1f"),
            "n/a" if ratio is None else "%.2fx" % ratio, bg(r)))
    p = next((r for r in rs if r["run_label"] == "pytorch" and "params" in r), None)
    if p:
        print("      params %s (non-embedding, excl. lm head: %s)" % (format(p["params"], ","), format(p["nonembed_params"], ",")))
print("\n'vs pytorch' is plateau tok/s / pytorch tok/s. 'bg load' is cores busy with other")
print("processes just before the run (and /during it, where measured); anything well above")
print("0 makes the row unreliable: rerun, e.g. with WAIT_IDLE=300.")
print("\nraw:")
for r in rows:
    print(json.dumps(r))
EOF
