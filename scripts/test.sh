#!/usr/bin/env bash
# The test command: installs missing build dependencies, then builds the
# library and examples and runs every test binary (float, double, and both
# under ASan+UBSan). The last line is "N passed, N failed"; the exit status is
# non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
exec make -j2 check
