#!/usr/bin/env bash
# The C example in README.md (the ```c block after the line
# "<!-- examples/readme_example.c -->") must equal examples/readme_example.c,
# which is compiled and run by `make check`: a README example cannot rot.
set -euo pipefail
cd "$(dirname "$0")/.."
awk '/^<!-- examples\/readme_example\.c -->$/ { mark = 1; next }
     mark && /^```c$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' README.md | diff -u examples/readme_example.c - ||
    { echo "README.md's example differs from examples/readme_example.c (diff above)" >&2; exit 1; }
echo "README.md example matches examples/readme_example.c"
