#!/usr/bin/env bash
# The test command: installs missing build dependencies, then builds the
# library and examples and runs every test binary (float, double, and both
# under ASan+UBSan), the float tests again under valgrind
# (scripts/valgrind.sh), and a short run of every fuzz target
# (scripts/fuzz.sh, FUZZ_SECONDS per target, default 20). The last line is
# the sum of all three, "N passed, N failed"; the exit status is non-zero if
# anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh || exit 1

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
make -j2 check 2>&1 | tee "$logs/check"
scripts/valgrind.sh 2>&1 | tee "$logs/valgrind"
scripts/fuzz.sh "${FUZZ_SECONDS:-20}" 2>&1 | tee "$logs/fuzz"

# The last summary line of each step; a step that printed none (a build
# failure) counts as one failure.
passed=0
failed=0
for step in check valgrind fuzz; do
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/$step" | tail -n 1)
    if [ -z "$line" ]; then
        failed=$((failed + 1))
        continue
    fi
    p=${line%% passed*}
    f=${line#*passed, }
    passed=$((passed + p))
    failed=$((failed + ${f%% failed*}))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
