#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_NAME.c; clang, ASan, UBSan)
# and runs each, one after another, for SECONDS (default 20), from its work
# corpus build/fuzz/corpus/NAME (kept between runs), its committed seeds
# tests/fuzz/corpus/NAME and its regressions tests/fuzz/regressions/NAME.
# A crash, leak, sanitizer report, failed check, timeout or memory blow-up
# fails the target; the input that did it is kept in build/fuzz/crashes/NAME/.
# Prints each target's executions and, last, "N passed, N failed" (one count
# per target; a failed build counts as one failure). Exits non-zero on any
# failure.
#
#   scripts/fuzz.sh                 20 s per target (part of scripts/test.sh)
#   scripts/fuzz.sh 600             a longer run
#   scripts/fuzz.sh 600 safetensors only the named targets
#   FUZZ_RUNS=1000000 scripts/fuzz.sh 3600
#                                   each target until 1,000,000 executions
#                                   (or the time limit, whichever comes first)
set -uo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2; }
secs=20
if [ $# -gt 0 ]; then
    [[ "$1" =~ ^[1-9][0-9]*$ ]] || usage
    secs=$1
    shift
fi

fail_all() {
    echo "fuzz.sh: $1" >&2
    echo "0 passed, 1 failed"
    exit 1
}

command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1 ||
    fail_all "${FUZZ_CC:-clang} not found; scripts/deps.sh installs clang and its libFuzzer runtime"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for src in tests/fuzz/fuzz_*.c; do
        name=${src#tests/fuzz/fuzz_}
        targets+=("${name%.c}")
    done
fi
for t in "${targets[@]}"; do
    [ -f "tests/fuzz/fuzz_$t.c" ] || fail_all "no target '$t' (tests/fuzz/fuzz_$t.c)"
done
make -j2 "${targets[@]/#/build/fuzz/bin/fuzz_}" >/dev/null || fail_all "building the fuzz targets failed"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export OPENBLAS_NUM_THREADS=1
passed=0
failed=0
for t in "${targets[@]}"; do
    work=build/fuzz/corpus/$t
    crashes=build/fuzz/crashes/$t
    log=build/fuzz/logs/$t.log
    mkdir -p "$work" "$crashes" "$(dirname "$log")"
    args=(-max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
          -artifact_prefix="$crashes/")
    [ -f "tests/fuzz/$t.dict" ] && args+=(-dict="tests/fuzz/$t.dict")
    [ -n "${FUZZ_RUNS:-}" ] && args+=(-runs="$FUZZ_RUNS")
    dirs=("$work")
    for d in "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t"; do
        [ -d "$d" ] && dirs+=("$d")
    done
    "build/fuzz/bin/fuzz_$t" "${args[@]}" "${dirs[@]}" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        echo "fuzz $t: ok, ${execs:-?} executions in ${took:-$secs} s, ${cov:-cov: ?}, corpus $(ls "$work" | wc -l) files"
    else
        failed=$((failed + 1))
        echo "fuzz $t: FAIL (exit $rc) after ${execs:-?} executions; log $log"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*check `.*` failed|.*runtime error)' "$log" | head -n 5 | sed 's/^/  /'
        grep -E '^(artifact_prefix|Test unit written to)' "$log" | sed 's/^/  /'
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
