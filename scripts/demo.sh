#!/usr/bin/env bash
# The demo: installs missing build dependencies, builds recur, and trains a
# character-level LSTM language model on Moby-Dick (committed in data/, so no
# network is needed) for about a minute. It prints the training loss as it
# falls, the held-out bits per character and a 300-character sample, and
# saves the model to build/char_lm.safetensors. Where Python with PyTorch is
# installed, PyTorch then loads that file and recomputes the held-out score.
#
#   scripts/demo.sh                  about 60 s of training
#   scripts/demo.sh --seconds 300    any char_lm option (--help lists them)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
make -j2
want=fe282a57094ed62e7144fb7c804a9748fc1c909bf3b49d06e7276015f9f67240
if [ ! -f data/moby_dick.txt ] || [ "$(sha256sum data/moby_dick.txt | cut -d' ' -f1)" != "$want" ]; then
    echo "demo.sh: data/moby_dick.txt is missing or modified (expected sha256 $want);" >&2
    echo "         restore it with: git checkout data/moby_dick.txt" >&2
    exit 1
fi
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-2}
model=build/char_lm.safetensors
log=build/char_lm.log
rm -f "$model"
echo
build/rel/examples/char_lm --data data/moby_dick.txt --seconds 60 --save "$model" "$@" | tee "$log"

bits=$(sed -n 's/^held-out: \([0-9.]*\) bits\/char.*/\1/p' "$log")
if [ -f "$model" ] && [ -n "$bits" ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo
    /usr/bin/python3 scripts/check_char_lm_torch.py "$model" --expect "$bits"
fi
