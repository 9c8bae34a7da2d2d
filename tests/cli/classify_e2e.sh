#!/usr/bin/env bash
# End-to-end test of `recur classify` on small generated data (texts whose
# label follows from a few words in them): the command-line conventions
# (help, usage errors with status 2), bad input files naming the line,
# training (the loss falls) with every pooling and with character tokens,
# eval's JSON keys and their relations, predict's output, and --resume
# giving a bit-identical model. Prints "N passed, N failed".
#
#     tests/cli/classify_e2e.sh                         # runs build/rel/recur
#     RECUR=build/asan/recur tests/cli/classify_e2e.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/support/cli_lib.sh
start classify

# gen N SEED: N lines "pos|neg<TAB>text": filler words and one or two words
# of the label's kind.
gen() {
    awk -v n="$1" -v seed="$2" 'BEGIN {
        srand(seed)
        split("the film was a plot and it very story acting", f, " ")
        split("good great fine superb lovely", p, " ")
        split("bad awful dull poor weak", q, " ")
        for (i = 0; i < n; i++) {
            pos = rand() < 0.5
            k = 3 + int(rand() * 6)
            line = ""
            for (j = 0; j < k; j++) line = line (j ? " " : "") f[1 + int(rand() * 10)]
            for (j = 0; j < 1 + int(rand() * 2); j++) {
                w = pos ? p[1 + int(rand() * 5)] : q[1 + int(rand() * 5)]
                line = rand() < 0.5 ? w " " line : line " " w
            }
            print (pos ? "pos" : "neg") "\t" line
        }
    }'
}
gen 300 1 > "$tmp/train.tsv"
gen 60 2 > "$tmp/valid.tsv"
gen 60 3 > "$tmp/test.tsv"
NET=(--data "$tmp/train.tsv" --valid "$tmp/valid.tsv" --hidden 16 --embed 16 --batch 16 --lr 0.01 --dropout 0.1
    --eval-every 20 --checkpoint-every 20 --quiet)

# ---- conventions ------------------------------------------------------------

run help classify train --help
check "classify train --help: status 0, options with defaults" eval \
    '[ $rc -eq 0 ] && has help.out "usage: recur classify train" && has help.out "--pool last|mean|max|attention" &&
     has help.out "--tokens word|char" && has help.out "--min-count N" &&
     has help.out "(on by default; --no-bidirectional turns it off)" && has help.out "--resume CKPT"'
run top help
check "recur help lists classify" eval '[ $rc -eq 0 ] && has top.out "classify "'
run bad classify train --data x --model y --bogus 3
check "unknown option: status 2" eval '[ $rc -eq 2 ] && has bad.err "unknown option '"'"'--bogus'"'"'" && [ ! -s "$tmp/bad.out" ]'
run pool classify train --data x --model y --pool median
check "unknown --pool: status 2" eval '[ $rc -eq 2 ] && has pool.err "is not one of last, mean, max, attention"'
run nodata classify train --model y
check "missing --data: status 2" eval '[ $rc -eq 2 ] && has nodata.err "missing option --data"'
run noflag classify train --data x --model y --no-bidirectional=1
check "--no-FLAG takes no value: status 2" eval '[ $rc -eq 2 ] && has noflag.err "--no-bidirectional takes no value"'
run cmd classify fit
check "unknown subcommand: status 2" eval '[ $rc -eq 2 ] && has cmd.err "unknown command '"'"'fit'"'"'"'

# ---- bad input files ----------------------------------------------------------

printf 'pos\tgood\nneg bad\n' > "$tmp/notab.tsv"
printf 'pos\tgood\n\nneg\tbad\n' > "$tmp/blank.tsv"
printf 'pos\tgood\nneg\tbad \xc3\x28\n' > "$tmp/utf8.tsv"
run notab classify train --data "$tmp/notab.tsv" --model "$tmp/u.st"
check "a line without a tab: status 1 naming file and line" eval \
    '[ $rc -eq 1 ] && has notab.err "notab.tsv'"'"': line 2 has no tab"'
run blank classify train --data "$tmp/blank.tsv" --model "$tmp/u.st"
check "an empty line: status 1 naming the line" eval '[ $rc -eq 1 ] && has blank.err "line 2 is empty"'
run utf8 classify train --data "$tmp/utf8.tsv" --model "$tmp/u.st"
check "invalid UTF-8: status 1 naming line and column" eval '[ $rc -eq 1 ] && has utf8.err "line 2: invalid UTF-8 at column 9"'
printf 'pos\tgood\n' > "$tmp/one.tsv"
run few classify train --data "$tmp/one.tsv" --model "$tmp/u.st"
check "one example cannot be split for validation: status 1" eval '[ $rc -eq 1 ] && has few.err "too few to hold out"'
run notmodel classify eval --model "$tmp/one.tsv" --data "$tmp/one.tsv"
check "eval of a file that is no model: status 1" eval '[ $rc -eq 1 ] && [ -s "$tmp/notmodel.err" ]'

# ---- train, eval, predict ---------------------------------------------------------

run train classify train "${NET[@]}" --model "$tmp/a.st" --steps 100 --json
losses train
# 100 Adam steps at lr 0.01 take the loss from about ln 2 = 0.69 near zero:
# the sentiment words decide the label
check "training: status 0, the loss falls" eval \
    '[ $rc -eq 0 ] && [ "$(grep -c "\"event\":\"eval\"" "$tmp/train.out")" -eq 5 ] && holds "b < a - 0.3" a="$first" b="$last"'
check "model file: recur metadata with labels and vocab" \
    header_has a.st '"task":"classify"' '"embed.weight"' '"rnn.weight_hh_l0_reverse"' '"labels"'

run eval classify eval --model "$tmp/a.st" --data "$tmp/test.tsv" --json
fields eval.out acc=accuracy f1=macro_f1
check "eval --json: accuracy and macro_f1 in [0, 1], the generated test set learnt" eval \
    '[ $rc -eq 0 ] && [ -n "$acc" ] && [ -n "$f1" ] && holds "a >= 0.9 && a <= 1 && f >= 0.85 && f <= 1" a="$acc" f="$f1" &&
     has eval.out "\"labels\":[\"neg\",\"pos\"]" && has eval.out "\"confusion\":[["'
run evaltext classify eval --model "$tmp/a.st" --data "$tmp/test.tsv"
check "eval without --json: key value pairs and the confusion matrix" eval \
    '[ $rc -eq 0 ] && has evaltext.out "accuracy " && has evaltext.out "confusion (rows: gold label"'

cut -f 2 "$tmp/test.tsv" > "$tmp/texts.txt"
run_in pred "$tmp/texts.txt" classify predict --model "$tmp/a.st"
check "predict: one 'label<TAB>probability' line per input line" eval \
    '[ $rc -eq 0 ] && [ "$(wc -l < "$tmp/pred.out")" -eq 60 ] &&
     awk -F "\t" "NF != 2 || (\$1 != \"pos\" && \$1 != \"neg\") || \$2 < 0.5 || \$2 > 1 { exit 1 }" "$tmp/pred.out"'
# the predictions agree with eval's accuracy
agree=$(paste <(cut -f 1 "$tmp/test.tsv") <(cut -f 1 "$tmp/pred.out") | awk -F "\t" '$1 == $2' | wc -l)
check "predict agrees with eval's accuracy" holds "(n / 60 - a)^2 < 1e-9" n="$agree" a="$acc"
printf 'a good film\n' | "$RECUR" classify predict --model "$tmp/a.st" --json > "$tmp/pj.out" 2>&1
check "predict --json: label and probability" eval 'has pj.out "{\"label\":\"pos\",\"probability\":"'
printf 'good\n   \nbad\n' | "$RECUR" classify predict --model "$tmp/a.st" > "$tmp/pe.out" 2> "$tmp/pe.err"
rc=$?
check "predict: a line without tokens is an error naming it" eval '[ $rc -eq 1 ] && has pe.err "stdin: line 2: the text has no tokens"'

for pool in last mean attention; do
    run "p_$pool" classify train "${NET[@]}" --model "$tmp/$pool.st" --pool "$pool" --steps 60 --json --no-bidirectional
    a=$(field "p_$pool.out" train_loss | head -n 1)
    b=$(field "p_$pool.out" train_loss | tail -n 1)
    check "--pool $pool (unidirectional): the loss falls ($a -> $b)" eval '[ $rc -eq 0 ] && holds "b < a - 0.2" a="$a" b="$b"'
done
run chars classify train "${NET[@]}" --model "$tmp/c.st" --tokens char --cell gru --steps 40 --json
check "--tokens char --cell gru trains and evaluates" eval \
    '[ $rc -eq 0 ] && "$RECUR" classify eval --model "$tmp/c.st" --data "$tmp/test.tsv" --json | grep -q "\"accuracy\":"'

# ---- resume ---------------------------------------------------------------------------

resumes classify 27 " (another epoch's batches, dropout)" "${NET[@]}" --steps 50 --word-dropout 0.1
run mismatch classify train "${NET[@]}" --model "$tmp/B.st" --steps 50 --pool max --resume "$tmp/B.st.ckpt"
check "--resume with another --pool: status 1 naming it" eval '[ $rc -eq 1 ] && has mismatch.err "pool"'

finish
