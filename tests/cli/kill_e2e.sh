#!/usr/bin/env bash
# End-to-end test of what survives a SIGKILL, which no handler sees:
# `recur lm train` is killed in the middle of writing a checkpoint, after
# the checkpoint's temporary file is complete but before the rename that
# publishes it, and between two checkpoints. Each time MODEL.ckpt still holds
# the previous checkpoint, byte for byte, and the run resumed from it (with
# the left-over MODEL.ckpt.tmp in place) ends with a model byte-identical to
# an uninterrupted run's. The kills come from tests/support/kill_shim.so,
# preloaded, at the same call every time. Prints "N passed, N failed" like
# the test binaries.
#
#     tests/cli/kill_e2e.sh                       # runs build/rel/recur
#     RECUR=build/asan/recur tests/cli/kill_e2e.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/support/cli_lib.sh
SHIM=${KILL_SHIM:-$(dirname "$RECUR")/tests/support/kill_shim.so}
SOURCE=data/moby_dick.txt
start kill "$SHIM" "$SOURCE"
# A sanitizer runtime must come first among the preloaded libraries.
PRELOAD="$(ldd "$RECUR" | awk '/libasan/ { print $3 }') $(realpath "$SHIM")"
head -n 400 "$SOURCE" > "$tmp/text.txt"
# checkpoints at steps 10, 20, ...; a metrics record every 5 steps
NET=(--data "$tmp/text.txt" --layers 1 --hidden 32 --embed 16 --seq-len 32 --batch 8 --lr 0.01 --dropout 0.1
    --steps 60 --eval-every 5 --checkpoint-every 10 --seed 3 --threads 1 --quiet --json)

# killed NAME AT N [BYTES]: trains $tmp/NAME.st under the shim, killed at
# point AT of the N-th checkpoint or record (see kill_shim.c); status in $rc.
# (The braces take the shell's own "Killed" line to $tmp/NAME.err too.)
killed() {
    local name=$1
    {
        KILL_SHIM_AT=$2 KILL_SHIM_N=$3 KILL_SHIM_BYTES=${4:-} LD_PRELOAD=$PRELOAD \
            "$RECUR" lm train "${NET[@]}" --model "$tmp/$name.st" > "$tmp/$name.out"
        rc=$?
    } 2> "$tmp/$name.err"
}

# resumed NAME: continues $tmp/NAME.st from its checkpoint, as the kill left
# it; stdout in $tmp/NAME.resumed.out, status in $rc.
resumed() { run "$1.resumed" lm train "${NET[@]}" --model "$tmp/$1.st" --resume "$tmp/$1.st.ckpt"; }

# steps NAME: the steps of the eval records in $tmp/NAME, one a line.
steps() { grep '"event":"eval"' "$tmp/$1" | values step; }

# ---- references ---------------------------------------------------------------

run ref lm train "${NET[@]}" --model "$tmp/ref.st"
check "uninterrupted run: status 0, a model and a checkpoint" eval \
    '[ $rc -eq 0 ] && [ -s "$tmp/ref.st" ] && [ -s "$tmp/ref.st.ckpt" ]'
# --stop-after N writes the checkpoint of step N that the periodic one is,
# byte for byte: the same function of the same state
for n in 20 30; do
    run "stop$n" lm train "${NET[@]}" --model "$tmp/stop$n.st" --stop-after "$n"
    check "checkpoint of step $n (a run stopped there)" eval \
        '[ $rc -eq 0 ] && header_has stop$n.st.ckpt "\"checkpoint\":\"{\\\"step\\\":$n,"'
done
run seed lm train "${NET[@]}" --model "$tmp/seed.st" --seed 4
check "another seed gives another model (the comparisons below can fail)" eval \
    '[ $rc -eq 0 ] && ! cmp -s "$tmp/ref.st" "$tmp/seed.st" && ! cmp -s "$tmp/stop20.st.ckpt" "$tmp/stop30.st.ckpt"'

# the end of a resumed run: status 0, no temporary file left, the records
# from the checkpoint's step on and the model of the uninterrupted run
check_resumed() {
    local name=$1 from=$2
    resumed "$name"
    check "$name: the resumed run goes on from step $from" eval \
        '[ $rc -eq 0 ] && [ "$(steps '"$name"'.resumed.out | head -n 1)" -eq $((from + 5)) ]'
    check "$name: the resumed run prints the uninterrupted run's records" eval \
        'diff <(records ref.out | grep -A 1000 -F "\"step\":$((from + 5)),") <(records '"$name"'.resumed.out) > /dev/null'
    check "$name: the final model is byte-identical to the uninterrupted run's" cmp "$tmp/ref.st" "$tmp/$name.st"
    check "$name: no temporary file is left" eval '[ ! -e "$tmp/'"$name"'.st.ckpt.tmp" ] && [ ! -e "$tmp/'"$name"'.st.tmp" ]'
}

# ---- (a) in the middle of the third checkpoint's write --------------------------

half=$(($(stat -c %s "$tmp/stop30.st.ckpt") / 2))
killed write write 3 "$half"
size=$(stat -c %s "$tmp/write.st.ckpt.tmp" 2> /dev/null || echo 0)
echo "write: killed with $size of $(stat -c %s "$tmp/stop30.st.ckpt") bytes of the step-30 checkpoint written"
check "write: SIGKILL (status 137) with a part of the temporary file written" eval \
    '[ $rc -eq 137 ] && [ "$size" -ge "$half" ] && [ "$size" -lt "$(stat -c %s "$tmp/stop30.st.ckpt")" ] &&
     cmp -s -n "$size" "$tmp/write.st.ckpt.tmp" "$tmp/stop30.st.ckpt"'
check "write: MODEL.ckpt is the intact checkpoint of step 20" cmp "$tmp/stop20.st.ckpt" "$tmp/write.st.ckpt"
check_resumed write 20

# ---- (b) the third checkpoint complete, before its rename -----------------------

killed rename rename 3
check "rename: SIGKILL with the complete checkpoint of step 30 in the temporary file" eval \
    '[ $rc -eq 137 ] && cmp -s "$tmp/stop30.st.ckpt" "$tmp/rename.st.ckpt.tmp"'
check "rename: MODEL.ckpt is the intact checkpoint of step 20" cmp "$tmp/stop20.st.ckpt" "$tmp/rename.st.ckpt"
check_resumed rename 20

# ---- (c) between checkpoints: after the record of step 25 ----------------------

killed between record 5
check "between: SIGKILL after the record of step 25, no checkpoint being written" eval \
    '[ $rc -eq 137 ] && [ "$(steps between.out | tail -n 1)" -eq 25 ] && [ ! -e "$tmp/between.st.ckpt.tmp" ]'
check "between: MODEL.ckpt is the intact checkpoint of step 20" cmp "$tmp/stop20.st.ckpt" "$tmp/between.st.ckpt"
check_resumed between 20

finish
