#!/usr/bin/env bash
# Runs the float test binaries of the rel build (-O2, no sanitizers) under
# valgrind's memcheck: invalid reads and writes, uses of uninitialised
# values and leaks (definite and possible) all fail a binary. Builds them
# first; with arguments, runs only the binaries named. The last line is
# "N passed, N failed". Part of scripts/test.sh.
set -uo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null 2>&1 || {
    echo "valgrind.sh: valgrind not found; scripts/deps.sh installs it" >&2
    echo "0 passed, 1 failed"
    exit 1
}
bins=("$@")
if [ ${#bins[@]} -eq 0 ]; then
    for src in tests/test_*.c; do
        name=${src#tests/}
        bins+=("build/rel/bin/${name%.c}")
    done
fi
make -j2 "${bins[@]}" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
export TEST_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible --suppressions=tests/valgrind.supp --error-exitcode=1"
exec scripts/run_tests.sh "${bins[@]}"
