#!/usr/bin/env bash
# Runs each test binary given, from the repository root, and prints the sum
# of their "N passed, N failed" lines as the last line. A binary that exits
# non-zero without such a line (a crash, a sanitizer report) counts as one
# failure. Exits non-zero if anything failed. TEST_WRAPPER, if set, is a
# command each binary runs under (scripts/valgrind.sh sets it).
set -u
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0
failed=0
bad=()
for bin in "$@"; do
    echo "=== $bin"
    log=$(mktemp)
    ${TEST_WRAPPER:-} "$bin" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    rm -f "$log"
    if [ -n "$line" ]; then
        p=${line%% passed*}
        f=${line#*passed, }
        f=${f%% failed*}
        passed=$((passed + p))
        failed=$((failed + f))
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
            failed=$((failed + 1))
        fi
    else
        failed=$((failed + 1))
    fi
    if [ "$rc" -ne 0 ]; then bad+=("$bin (exit $rc)"); fi
done
if [ ${#bad[@]} -gt 0 ]; then
    echo "failing binaries:"
    printf '  %s\n' "${bad[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
