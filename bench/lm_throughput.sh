#!/usr/bin/env bash
# End-to-end training speed and peak memory: `recur lm train` against the
# identical model and loop in PyTorch (scripts/torch_lm_reference.py: same
# data, batches, optimizer and clipping), interleaved A B A B, medians.
#
#   bench/lm_throughput.sh                    # 3 repetitions of 100 steps, 1 thread
#   REPS=5 STEPS=200 THREADS=2 bench/lm_throughput.sh
#
# Model: embedding 64, 2-layer LSTM 256, seq-len 100, batch 32 (the README's
# Moby-Dick run). Tokens/s = steps·T·B / training seconds: recur's `done`
# record's elapsed time (no validation text, so nothing but training and the
# final save), PyTorch's training loop alone (its held-out evaluation is
# timed apart). Peak memory: maximum resident set size from /usr/bin/time.
set -eu
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
STEPS=${STEPS:-100}
THREADS=${THREADS:-1}
PY=${PY:-/usr/bin/python3}
make -s build/rel/recur >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TEXT=data/moby_dick.txt
NET=(--cell lstm --layers 2 --hidden 256 --embed 64 --seq-len 100 --batch 32 --lr 2e-3 --clip 5 --steps "$STEPS")
tokens=$((STEPS * 100 * 32))

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for r in $(seq "$REPS"); do
    # no validation text: elapsed is the training steps and the final save
    /usr/bin/time -f "%M" -o "$tmp/recur.rss" build/rel/recur lm train --data "$TEXT" --valid-fraction 0 \
        --model "$tmp/m.st" "${NET[@]}" --dropout 0 --eval-every 0 --checkpoint-every 0 --threads "$THREADS" \
        --quiet --json > "$tmp/recur.out"
    secs=$(sed -n 's/.*"event":"done".*"elapsed":\([0-9.]*\).*/\1/p' "$tmp/recur.out")
    echo "$secs $(cat "$tmp/recur.rss")" >> "$tmp/recur.runs"
    /usr/bin/time -f "%M" -o "$tmp/torch.rss" "$PY" scripts/torch_lm_reference.py "$TEXT" --steps "$STEPS" \
        --threads "$THREADS" --json > "$tmp/torch.out" 2> /dev/null
    tsecs=$(sed -n 's/.*"train_seconds": \([0-9.]*\).*/\1/p' "$tmp/torch.out")
    echo "$tsecs $(cat "$tmp/torch.rss")" >> "$tmp/torch.runs"
    echo "rep $r: recur ${secs} s, PyTorch ${tsecs} s" >&2
done

r_s=$(awk '{ print $1 }' "$tmp/recur.runs" | median)
t_s=$(awk '{ print $1 }' "$tmp/torch.runs" | median)
r_rss=$(awk '{ print $2 }' "$tmp/recur.runs" | sort -g | tail -n 1)
t_rss=$(awk '{ print $2 }' "$tmp/torch.runs" | sort -g | tail -n 1)
echo "command: REPS=$REPS STEPS=$STEPS THREADS=$THREADS bench/lm_throughput.sh"
printf '%-8s %12s %12s %14s\n' "" "median s" "tokens/s" "peak RSS MiB"
printf '%-8s %12.2f %12.0f %14.1f\n' recur "$r_s" "$(awk -v t=$tokens -v s=$r_s 'BEGIN { print t / s }')" \
    "$(awk -v k=$r_rss 'BEGIN { print k / 1024 }')"
printf '%-8s %12.2f %12.0f %14.1f\n' PyTorch "$t_s" "$(awk -v t=$tokens -v s=$t_s 'BEGIN { print t / s }')" \
    "$(awk -v k=$t_rss 'BEGIN { print k / 1024 }')"
echo "recur is $(awk -v a=$t_s -v b=$r_s 'BEGIN { printf "%.2f", a / b }')x PyTorch's speed," \
    "$(awk -v a=$t_rss -v b=$r_rss 'BEGIN { printf "%.2f", b / a }')x its peak memory"
