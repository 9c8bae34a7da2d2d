#!/usr/bin/env bash
# End-to-end test of the determinism guarantees of docs/cli.md: the same
# command gives a bit-identical model and output every time; on the AVX2 and
# AVX-512 paths the thread count does not change them either (threads split
# columns and units, never a sum); another seed or another instruction-set
# level does change them (so the comparisons can fail). Prints "N passed,
# N failed" like the test binaries.
#
#     tests/cli/determinism_e2e.sh                # runs build/rel/recur
#     RECUR=build/asan/recur tests/cli/determinism_e2e.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/support/cli_lib.sh
start det data/moby_dick.txt

head -n 300 data/moby_dick.txt > "$tmp/text.txt"
printf 'Call me\n' > "$tmp/prime.txt"
NET=(--data "$tmp/text.txt" --layers 2 --hidden 24 --embed 16 --seq-len 24 --batch 6 --dropout 0.2 --steps 25
    --eval-every 10 --quiet --json)

# train NAME [ENV=VALUE...] -- [OPTIONS...]: trains $tmp/NAME.st, then samples from it into NAME.sample.
train() {
    local name=$1 envs=()
    shift
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    env "${envs[@]}" "$RECUR" lm train "${NET[@]}" --model "$tmp/$name.st" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
    local a=$?
    env "${envs[@]}" "$RECUR" lm sample --model "$tmp/$name.st" --prime "Call me" --length 80 --seed 5 \
        > "$tmp/$name.sample" 2>> "$tmp/$name.err"
    rc=$((a | $?))
}

same() { [ $rc -eq 0 ] && cmp -s "$tmp/$1.st" "$tmp/$2.st" && cmp -s "$tmp/$1.sample" "$tmp/$2.sample" &&
    diff <(records "$1.out") <(records "$2.out") > /dev/null; }

train a -- --threads 1
train b -- --threads 1
check "the same command twice: bit-identical model, records and sample" same a b
train s2 -- --threads 1 --seed 2
check "another seed: another model" eval '[ $rc -eq 0 ] && ! cmp -s "$tmp/a.st" "$tmp/s2.st"'

simd=$("$RECUR" bench --seq-len 2 --batch 1 --input 2 --hidden 2 --iters 1 --warmup 0 --json |
    sed -n 's/.*"simd":"\([a-z0-9]*\)".*/\1/p')
echo "instruction-set level: ${simd:-unknown}"
check "recur bench reports the instruction-set level" eval '[ -n "$simd" ]'
if [ "$simd" = avx512 ] || [ "$simd" = avx2 ]; then
    train t2 -- --threads 2
    check "$simd: --threads 2 gives the model of --threads 1" same a t2
    train t2b RC_SIMD=avx2 -- --threads 2
    train t1b RC_SIMD=avx2 -- --threads 1
    check "avx2: --threads 2 gives the model of --threads 1" same t1b t2b
    if [ "$simd" = avx512 ]; then
        check "avx2 and avx512 differ in the last bits (documented)" eval '! cmp -s "$tmp/a.st" "$tmp/t1b.st"'
    fi
else
    echo "this CPU has no AVX2: the thread-count guarantee does not apply (docs/cli.md)"
fi
train sc1 RC_SIMD=scalar -- --threads 1
train sc1b RC_SIMD=scalar -- --threads 1
check "scalar path: the same command twice gives the same model" same sc1 sc1b

finish
