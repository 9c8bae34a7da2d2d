#!/usr/bin/env bash
# Compares recur with PyTorch and oneDNN on the same layer shapes, and
# prints ratio tables (median time of the other / median time of recur: > 1
# means recur is faster).
#
#   bench/compare.sh                 # everything below, 3 repetitions
#   REPS=5 CELLS="lstm gru" MODES=infer THREADS=1 SHAPES="a b" bench/compare.sh
#
# Columns: recur (build/rel/bench/rnn_bench, which is `recur bench`; set
# RECUR_BENCH="build/rel/recur bench" to run the program itself), PyTorch as
# installed (the environment as given, OPENBLAS_CORETYPE included), PyTorch
# with OPENBLAS_CORETYPE unset, and oneDNN (build/rel/bench/onednn_rnn, which
# `make bench` builds when libdnnl-dev is installed). Each repetition runs
# every column once in turn (A B C A B C ...), so machine noise spreads over
# all of them; the table shows medians over repetitions of each run's own
# median call time. Shapes:
#   a  T=100 B=32 I=H=256, 1 layer      b  T=100 B=64 I=H=512
#   c  T=50  B=1  I=H=256               d  T=100 B=32 I=H=256, 2 layers bidirectional
# The run ends with the machine's single-thread large square sgemm rate.
set -eu
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
CELLS=${CELLS:-"lstm gru rnn"}
MODES=${MODES:-"infer train"}
THREADS=${THREADS:-"1 2"}
SHAPES=${SHAPES:-"a b c d"}
PY=${PY:-/usr/bin/python3}
make -s bench build/rel/recur >/dev/null
RECUR=${RECUR_BENCH:-build/rel/bench/rnn_bench}
ONEDNN=build/rel/bench/onednn_rnn
out=$(mktemp)
trap 'rm -f "$out"' EXIT

shape_args() {
    case $1 in
    a) echo "--seq-len 100 --batch 32 --input 256 --hidden 256 --iters 10" ;;
    b) echo "--seq-len 100 --batch 64 --input 512 --hidden 512 --iters 5" ;;
    c) echo "--seq-len 50 --batch 1 --input 256 --hidden 256 --iters 30" ;;
    d) echo "--seq-len 100 --batch 32 --input 256 --hidden 256 --layers 2 --bidirectional --iters 5" ;;
    esac
}

# one line per run: impl shape cell mode threads median_ms
run() {
    local impl=$1 shape=$2 cell=$3 mode=$4 th=$5 json
    local args="$(shape_args "$shape") --cell $cell --mode $mode --threads $th --warmup 2 --json"
    case $impl in
    recur) json=$(OMP_NUM_THREADS=$th $RECUR $args) ;;
    torch) json=$($PY bench/torch_rnn.py $args) ;;
    torch_unset) json=$(env -u OPENBLAS_CORETYPE $PY bench/torch_rnn.py $args) ;;
    onednn) json=$(OMP_NUM_THREADS=$th $ONEDNN $args) ;;
    esac
    echo "$impl $shape $cell $mode $th $(echo "$json" | $PY -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])')" >>"$out"
}

impls="recur torch torch_unset"
[ -x "$ONEDNN" ] && impls="$impls onednn"
for rep in $(seq "$REPS"); do
    for shape in $SHAPES; do
        for cell in $CELLS; do
            for mode in $MODES; do
                for th in $THREADS; do
                    for impl in $impls; do run "$impl" "$shape" "$cell" "$mode" "$th"; done
                done
            done
        done
    done
    echo "repetition $rep of $REPS done" >&2
done

$PY - "$out" "$impls" <<'PYEOF'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    impl, shape, cell, mode, th, ms = line.split()
    rows[(shape, cell, mode, th, impl)].append(float(ms))
impls = sys.argv[2].split()
others = [i for i in impls if i != "recur"]
keys = sorted({k[:4] for k in rows})
print("median ms per call, and speed-up of recur (other / recur)")
hdr = f"{'shape':5} {'cell':5} {'mode':5} {'thr':3} {'recur ms':>9}" + "".join(f" {o + ' ms':>15} {'x':>6}" for o in others)
print(hdr)
for k in keys:
    r = statistics.median(rows[k + ("recur",)])
    line = f"{k[0]:5} {k[1]:5} {k[2]:5} {k[3]:3} {r:9.2f}"
    for o in others:
        v = statistics.median(rows[k + (o,)]) if rows.get(k + (o,)) else float("nan")
        line += f" {v:15.2f} {v / r:6.2f}"
    print(line)
PYEOF
echo
echo "single-thread square sgemm 2048x2048x2048 (GFLOP/s):"
L=/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0
build/rel/bench/sgemm_bench --threads 1 --lib recur 2048,2048,2048
[ -e "$L" ] && build/rel/bench/sgemm_bench --threads 1 --lib "$L" 2048,2048,2048
[ -e "$L" ] && env -u OPENBLAS_CORETYPE build/rel/bench/sgemm_bench --threads 1 --lib "$L" 2048,2048,2048
