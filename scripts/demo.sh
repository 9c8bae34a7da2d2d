#!/usr/bin/env bash
# The demo: installs missing build dependencies, builds recur, and trains a
# character-level LSTM language model with `recur lm` on Moby-Dick (committed
# in data/, so no network is needed) for about a minute. The last 10% of the
# book's lines are held out: the demo prints the training loss as it falls,
# the held-out bits per character (`recur lm eval`) and a 300-character sample
# (`recur lm sample`). Where Python with PyTorch is installed, PyTorch then
# loads the model file and recomputes the held-out score.
#
#   scripts/demo.sh                  about 60 s of training
#   scripts/demo.sh --time 600       extra `recur lm train` options (recur lm train --help)
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

dir=build/demo
mkdir -p "$dir"
lines=$(wc -l < data/moby_dick.txt)
held=$((lines / 10))
head -n $((lines - held)) data/moby_dick.txt > "$dir/train.txt"
tail -n "$held" data/moby_dick.txt > "$dir/heldout.txt"
model=$dir/moby.safetensors
rm -f "$model" "$model.ckpt"
recur=build/rel/recur

echo "== recur lm train: $((lines - held)) lines for training, the last $held held out"
$recur lm train --data "$dir/train.txt" --valid "$dir/heldout.txt" --model "$model" \
    --embed 32 --hidden 128 --layers 1 --seq-len 64 --batch 16 --lr 2e-3 --clip 5 \
    --time 60 --eval-every 1000 --threads 2 "$@"

echo
echo "== recur lm eval on the held-out text"
$recur lm eval --model "$model" --data "$dir/heldout.txt" --batch 16 --seq-len 64 | tee "$dir/eval.txt"

echo
echo "== recur lm sample"
$recur lm sample --model "$model" --prime "Call me Ishmael. " --length 300 --temperature 0.8
echo

bits=$(sed -n 's/.*bits_per_char \([0-9.]*\).*/\1/p' "$dir/eval.txt")
if [ -n "$bits" ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo
    echo "== PyTorch recomputes the held-out score from the model file"
    /usr/bin/python3 scripts/check_lm_torch.py "$model" "$dir/heldout.txt" --batch 16 --seq-len 64 --expect "$bits"
fi
