#!/usr/bin/env bash
# Runs the examples that check their own results, from build/rel/examples,
# and checks that the README's C example is examples/readme_example.c
# verbatim. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
bin=${EXAMPLES_DIR:-build/rel/examples}

run() {
    echo "=== $*"
    "$@" || { echo "FAILED (exit $?): $*" >&2; exit 1; }
}

run scripts/check_readme.sh
run "$bin/shapes"
run "$bin/readme_example"
