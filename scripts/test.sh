#!/usr/bin/env bash
# The test command: installs missing build dependencies, then builds the
# library, examples and the recur program and runs every test twice over:
# without OpenMP (float and double builds, under build/omp0) and with it
# (float, double, and both under ASan+UBSan); then the float tests again
# under valgrind (scripts/valgrind.sh) and a short run of every fuzz target
# (scripts/fuzz.sh, FUZZ_SECONDS per target, default 20). The last line is
# the total "N passed, N failed"; the exit status is non-zero if anything
# failed.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh || exit 1

passed=0
failed=0
status=0
# Runs a step, echoing its output, and adds its last summary line to the
# totals; a step that printed none (a build failure) counts as one failure.
step() {
    local log line
    log=$(mktemp)
    echo "===== $*"
    "$@" 2>&1 | tee "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    rm -f "$log"
    if [ -z "$line" ]; then
        failed=$((failed + 1))
        status=1
        return
    fi
    passed=$((passed + ${line%% passed*}))
    line=${line#*passed, }
    failed=$((failed + ${line%% failed*}))
}

step make -j2 OMP=0 test
step make -j2 check
step scripts/valgrind.sh
step scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
