#!/usr/bin/env bash
# The single-precision GEMMs recur could stand on, timed on the products a
# recurrent layer makes (docs/performance.md, "Choosing the GEMM"): recur's
# own blocked rc_gemm and packed per-step product, OpenBLAS (its pthread and
# OpenMP builds, with OPENBLAS_CORETYPE as the environment has it and unset),
# BLIS and oneDNN's dnnl_sgemm. One library per process; REPS rounds, the
# libraries interleaved within each round; prints the median GFLOP/s of the
# rounds per shape and library, one thread.
#
#   apt-get install libopenblas-openmp-dev libblis-dev libdnnl-dev   # the candidates
#   make bench && REPS=3 bench/gemm_candidates.sh
#
# SHAPES (M,N,K,ta,tb) overrides the shapes. BLIS 0.9 does not recognise
# AMD family 1Ah (Zen 5) and falls back to its generic kernels; it runs here
# with BLIS_ARCH_TYPE=skx (its AVX-512 kernels) as well as detected.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
BIN=build/rel/bench/sgemm_bench
LIB=/usr/lib/x86_64-linux-gnu
[ -x "$BIN" ] || { echo "$BIN: run 'make bench' first" >&2; exit 1; }

# what: step products (B rows by 4H), the input projection of all T·B rows,
# the weight and input gradients over all steps, and a large square product
SHAPES=${SHAPES:-"32,1024,256,0,1 64,2048,512,0,1 1,1024,256,0,1 3200,1024,256,0,1 6400,2048,512,0,1 1024,256,3200,1,0 2048,512,6400,1,0 3200,256,1024,0,0 2048,2048,2048,0,0"}

# name | environment prefix | --lib
CANDIDATES=(
    "recur||recur"
    "recur-packed||recur-packed"
    "openblas-pthread (env)||$LIB/openblas-pthread/libopenblas.so.0"
    "openblas-pthread (unset)|env -u OPENBLAS_CORETYPE|$LIB/openblas-pthread/libopenblas.so.0"
    "openblas-openmp (env)||$LIB/openblas-openmp/libopenblas.so.0"
    "openblas-openmp (unset)|env -u OPENBLAS_CORETYPE|$LIB/openblas-openmp/libopenblas.so.0"
    "blis (detected)||$LIB/blis-openmp/libblis.so.4"
    "blis (skx)|env BLIS_ARCH_TYPE=skx|$LIB/blis-openmp/libblis.so.4"
    "dnnl_sgemm||dnnl"
)

echo "# env OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}; $REPS rounds; one thread" >&2
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
for ((r = 1; r <= REPS; r++)); do
    for c in "${CANDIDATES[@]}"; do
        IFS='|' read -r name envp lib <<<"$c"
        if [ "$lib" != recur ] && [ "$lib" != recur-packed ] && [ "$lib" != dnnl ] && [ ! -e "$lib" ]; then continue; fi
        # OpenMP builds (OpenBLAS's, BLIS's, oneDNN) take every core unless told
        # shellcheck disable=SC2086
        OMP_NUM_THREADS=1 $envp "$BIN" --threads 1 --reps 5 --lib "$lib" $SHAPES 2>/dev/null |
            awk -v n="$name" '{print n "\t" $2 "\t" $3}' >>"$raw" || true
    done
    echo "round $r done" >&2
done

python3 - "$raw" <<'PYEOF'
import collections, statistics, sys
rows = collections.defaultdict(list)
order_l, order_s = [], []
for line in open(sys.argv[1]):
    name, shape, g = line.rstrip("\n").split("\t")
    rows[(name, shape)].append(float(g))
    if name not in order_l: order_l.append(name)
    if shape not in order_s: order_s.append(shape)
print("median GFLOP/s, one thread (shape M,N,K,ta,tb)")
print(f"{'library':26}" + "".join(f"{s:>19}" for s in order_s))
for n in order_l:
    print(f"{n:26}" + "".join(f"{statistics.median(rows[(n, s)]):19.1f}" if rows.get((n, s)) else f"{'-':>19}" for s in order_s))
PYEOF
