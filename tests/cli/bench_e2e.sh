#!/usr/bin/env bash
# End-to-end test of `recur bench` on tiny layer stacks: the command-line
# conventions (help, usage errors with status 2), the JSON record's keys, and
# its numbers against each other and against the flop formula, computed here
# from the shape. Prints "N passed, N failed" like the test binaries.
#
#     tests/cli/bench_e2e.sh                         # runs build/rel/recur
#     RECUR=build/asan/recur tests/cli/bench_e2e.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/support/cli_lib.sh
start bench

# ---- conventions ------------------------------------------------------------

run help bench --help
check "bench --help: status 0, every option with its default, the flop formula" eval \
    '[ $rc -eq 0 ] && [ ! -s "$tmp/help.err" ] && has help.out "usage: recur bench" &&
     has help.out "--cell lstm|gru|rnn|rnn-relu" && has help.out "--mode infer|train" &&
     has help.out "time steps per sequence (default: 100)" && has help.out "--bidirectional" &&
     has help.out "2·T·B·G·H·(I_k + H) per layer and direction"'
run help2 help bench
check "recur help bench prints the same help" cmp -s "$tmp/help.out" "$tmp/help2.out"
run top help
check "recur help lists bench" eval '[ $rc -eq 0 ] && has top.out "bench "'

# usage ID ARGS... EXPECTED-MESSAGE: status 2, the message on stderr, nothing on stdout
usage() {
    local id=$1 msg=${*: -1}
    run "$id" bench "${@:2:$#-2}"
    [ $rc -eq 2 ] && has "$id.err" "$msg" && has "$id.err" "Try 'recur bench --help'" && [ ! -s "$tmp/$id.out" ]
}
check "unknown option: status 2" usage bogus --bogus 3 "unknown option '--bogus'"
check "unknown mode: status 2" usage mode --mode fast "'fast' is not one of infer, train"
check "unknown cell: status 2" usage cell --cell tree "'tree' is not one of lstm, gru, rnn, rnn-relu"
check "--seq-len 0: status 2" usage zero --seq-len 0 "--seq-len: 0 is out of range"
check "--iters not a number: status 2" usage iters --iters x "--iters: 'x' is not an integer"
check "--hidden without a value: status 2" usage novalue --hidden "--hidden needs a value"

# ---- the record ---------------------------------------------------------------

# bench_case ID CELL MODE T B I H L D [--bidirectional]: runs the command
# with --json on that shape and checks the record.
bench_case() {
    local id=$1 cell=$2 mode=$3 T=$4 B=$5 I=$6 H=$7 L=$8 D=$9
    shift 9
    run "$id" bench --cell "$cell" --mode "$mode" --seq-len "$T" --batch "$B" --input "$I" --hidden "$H" \
        --layers "$L" --iters 2 --warmup 1 --json "$@"
    local G
    case $cell in lstm) G=4 ;; gru) G=3 ;; *) G=1 ;; esac
    local med min max tps gf fl
    fields "$id.out" med=median_ms min=min_ms max=max_ms tps=tokens_per_s gf=gflops fl=flops
    check "$id: status 0, one JSON line naming the cell and the mode" eval \
        '[ $rc -eq 0 ] && [ ! -s "$tmp/$id.err" ] && [ "$(wc -l < "$tmp/$id.out")" -eq 1 ] &&
         [ "$(field "$id.out" cell)" = "\"$cell\"" ] && [ "$(field "$id.out" mode)" = "\"$mode\"" ] &&
         [ "$(field "$id.out" impl)" = "\"recur\"" ]'
    check "$id: times and rates present and positive, min <= median <= max" eval \
        '[ -n "$med" ] && [ -n "$min" ] && [ -n "$max" ] && [ -n "$tps" ] && [ -n "$gf" ] &&
         holds "min > 0 && min <= med && med <= max && tps > 0 && gf > 0" min="$min" med="$med" max="$max" \
             tps="$tps" gf="$gf"'
    # The record's numbers are printed to 17 significant digits, so the
    # relations hold to rounding (1e-9 relative).
    check "$id: tokens_per_s = T·B / median" \
        holds "(tps - T * B / (med / 1000))^2 < (1e-9 * tps)^2" tps="$tps" T="$T" B="$B" med="$med"
    check "$id: flops = 2·T·B·G·H·(I_k + H) over layers and directions (3× for train)" \
        holds "(fl - f)^2 < (1e-9 * f)^2" fl="$fl" \
        f="$(awk -v T="$T" -v B="$B" -v I="$I" -v H="$H" -v L="$L" -v D="$D" -v G="$G" -v m="$mode" 'BEGIN {
            for (k = 0; k < L; k++) f += D * 2 * T * B * G * H * ((k ? D * H : I) + H)
            print (m == "train" ? 3 : 1) * f }')"
    check "$id: gflops = flops / median" holds "(gf - fl / (med * 1e6))^2 < (1e-9 * gf)^2" gf="$gf" fl="$fl" \
        med="$med"
}

bench_case lstm_infer lstm infer 3 2 4 5 1 1
bench_case gru_train_bi gru train 4 3 5 2 2 2 --bidirectional
bench_case rnn_train rnn train 2 1 3 4 1 1
bench_case relu_infer_bi rnn-relu infer 3 2 2 3 2 2 --bidirectional

run text bench --seq-len 2 --batch 2 --input 3 --hidden 4 --iters 2 --warmup 0
check "without --json: one line of key value pairs" eval \
    '[ $rc -eq 0 ] && [ "$(wc -l < "$tmp/text.out")" -eq 1 ] && has text.out "impl recur  cell lstm  mode infer" &&
     has text.out "  median_ms " && has text.out "  tokens_per_s " && has text.out "  gflops "'

finish
