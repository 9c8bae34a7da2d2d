#!/usr/bin/env bash
# Runs the examples that check their own results, and a few training steps of
# the character-level language model (so that its whole path, saving
# included, is exercised), from build/rel/examples. Also checks that the
# README's C example is examples/readme_example.c verbatim. Exits non-zero on
# the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
bin=build/rel/examples

run() {
    echo "=== $*"
    "$@" || { echo "FAILED (exit $?): $*" >&2; exit 1; }
}

run scripts/check_readme.sh
run "$bin/shapes"
run "$bin/readme_example"
run "$bin/char_lm" --steps 3 --log-every 1 --holdout 0.01 --sample 40 --save build/rel/char_lm_smoke.safetensors
