#!/usr/bin/env bash
# End-to-end test of `recur translate` on generated data (strings of a-f and
# their reversals, and the same with space-separated tokens): the
# command-line conventions (help, usage errors with status 2), bad TSV files
# named with their line, training (the loss falls), the model file, eval's
# --json keys, predict's output, the attention map as valid SVG with escaped
# labels, every attention kind, and --resume giving a byte-identical model.
# Prints "N passed, N failed" like the test binaries.
#
#     tests/cli/translate_e2e.sh                         # runs build/rel/recur
#     RECUR=build/asan/recur tests/cli/translate_e2e.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/support/cli_lib.sh
start translate

# valid_xml FILE: parses as XML (xmllint or Python), or at least has the
# structure of the document the program writes
valid_xml() {
    if command -v xmllint > /dev/null; then
        xmllint --noout "$1"
    elif command -v python3 > /dev/null; then
        python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1"
    else
        head -n 1 "$1" | grep -q '^<?xml' && tail -n 1 "$1" | grep -q '^</svg>$' &&
            ! grep -q '&[^a#]' "$1"
    fi
}

# Pairs "abc<TAB>cba" of 3 to 6 letters a-f from a fixed linear congruential
# sequence (integer arithmetic, the same in every awk); WORDS=1 separates
# the tokens by spaces.
make_pairs() {
    awk -v n="$1" -v seed="$2" -v words="${3:-0}" 'BEGIN {
        x = seed
        for (i = 0; i < n; i++) {
            x = (x * 75 + 74) % 65537; len = 3 + x % 4
            s = ""; r = ""
            for (j = 0; j < len; j++) {
                x = (x * 75 + 74) % 65537; c = substr("abcdef", 1 + x % 6, 1)
                sep = (words && j > 0) ? " " : ""
                s = s sep c; r = c (words && j > 0 ? " " : "") r
            }
            print s "\t" r
        }
    }'
}
make_pairs 400 7 > "$tmp/train.tsv"
make_pairs 40 99 > "$tmp/valid.tsv"
make_pairs 200 11 1 > "$tmp/words.tsv"
NET=(--data "$tmp/train.tsv" --valid "$tmp/valid.tsv" --hidden 16 --embed 8 --batch 16 --lr 0.01
    --eval-every 25 --checkpoint-every 40)

# ---- conventions ------------------------------------------------------------

run help translate train --help
check "translate train --help: status 0, the options with their defaults" eval \
    '[ $rc -eq 0 ] && has help.out "usage: recur translate train" && has help.out "--attention none|bahdanau|luong-dot|luong-general|luong-concat|rule1|scaled-dot|multihead" &&
     has help.out "--teacher-forcing R" && has help.out "--src-tokens char|space" && has help.out "(default: bahdanau)"'
run top help
check "recur help lists translate" eval '[ $rc -eq 0 ] && has top.out "translate "'
run sub help translate
check "recur help translate lists train, eval, predict" eval \
    '[ $rc -eq 0 ] && has sub.out "train " && has sub.out "eval " && has sub.out "predict "'
run bad translate train --data x --model y --bogus 1
check "unknown option: status 2" eval '[ $rc -eq 2 ] && has bad.err "unknown option" && [ ! -s "$tmp/bad.out" ]'
run choice translate train --data x --model y --attention luong
check "unknown attention: status 2 listing the kinds" eval '[ $rc -eq 2 ] && has choice.err "is not one of none, bahdanau"'
run range translate train --data x --model y --teacher-forcing 1.5
check "--teacher-forcing 1.5: status 2" eval '[ $rc -eq 2 ] && has range.err "--teacher-forcing: 1.5 is out of range"'
run beam translate eval --model x --data y --beam 0
check "--beam 0: status 2" eval '[ $rc -eq 2 ] && has beam.err "--beam"'
run missing translate predict
check "predict without --model: status 2" eval '[ $rc -eq 2 ] && has missing.err "missing option --model"'

# ---- bad input files ----------------------------------------------------------

printf 'abc\tcba\nabd\n' > "$tmp/fields.tsv"
run fields translate train --data "$tmp/fields.tsv" --model "$tmp/u.st"
check "a line without a tab: status 1 naming file and line" eval \
    '[ $rc -eq 1 ] && has fields.err "fields.tsv'"'"': line 2: expected 2 tab-separated fields, got 1"'
printf 'abc\tcba\n\xff\tx\n' > "$tmp/utf8.tsv"
run utf8 translate train --data "$tmp/utf8.tsv" --model "$tmp/u.st"
check "invalid UTF-8: status 1 naming file, line and column" eval \
    '[ $rc -eq 1 ] && has utf8.err "utf8.tsv'"'"': line 2: invalid UTF-8 at column 1"'
printf 'a b\t  \n' > "$tmp/blank.tsv"
run notoken translate train --data "$tmp/blank.tsv" --model "$tmp/u.st" --tgt-tokens space --valid-fraction 0
check "a target of spaces only with --tgt-tokens space: status 1 naming the line" eval \
    '[ $rc -eq 1 ] && has notoken.err "blank.tsv'"'"': line 1: no tokens"'

# ---- train, eval, predict --------------------------------------------------------

run train translate train "${NET[@]}" --model "$tmp/a.st" --steps 150 --quiet --json
losses train
# 150 Adam steps at lr 0.01 take the loss from about ln 10 = 2.3 (10 target
# ids) well below 1.5 on this data: the means over steps 1-25 and 126-150
# differ by far more than 0.5
check "training: status 0, train and validation loss fall" eval \
    '[ $rc -eq 0 ] && [ "$(grep -c "\"event\":\"eval\"" "$tmp/train.out")" -eq 6 ] &&
     holds "b < a - 0.5 && d < c - 0.5" a="$first" b="$last" c="$vfirst" d="$vlast"'
check "model file: state_dict names and translate metadata" \
    header_has a.st '"decoder.attention.Wa.weight"' '"task":"translate"' '\"attention\":\"bahdanau\"'

run eval translate eval --model "$tmp/a.st" --data "$tmp/valid.tsv" --json
fields eval.out em=exact_match ter=token_error_rate bleu=bleu
check "eval --json: exact_match, token_error_rate, bleu in range" eval \
    '[ $rc -eq 0 ] && [ -n "$em" ] && [ -n "$ter" ] && [ -n "$bleu" ] &&
     holds "e >= 0 && e <= 1 && t >= 0 && b >= 0 && b <= 1 && t < 0.9" e="$em" t="$ter" b="$bleu" &&
     [ "$(field eval.out pairs)" = 40 ]'
run eval5 translate eval --model "$tmp/a.st" --data "$tmp/valid.tsv" --beam 5
check "eval --beam 5 prints the same keys as key value pairs" eval \
    '[ $rc -eq 0 ] && has eval5.out "exact_match " && has eval5.out "token_error_rate " && has eval5.out "bleu " &&
     has eval5.out "beam 5"'
cut -f1 "$tmp/valid.tsv" | head -n 20 > "$tmp/src.txt"
run_in pred "$tmp/src.txt" translate predict --model "$tmp/a.st"
check "predict: one line of letters a-f per source line" eval \
    '[ $rc -eq 0 ] && [ "$(wc -l < "$tmp/pred.out")" -eq 20 ] && ! grep -q -v "^[a-f]*$" "$tmp/pred.out"'
run_in predj "$tmp/src.txt" translate predict --model "$tmp/a.st" --beam 3 --json
check "predict --json: one object per line with the line, source and prediction" eval \
    '[ $rc -eq 0 ] && [ "$(grep -c "^{\"line\":[0-9]*,\"source\":\"[a-f]*\",\"prediction\":\"[a-f]*\",\"score\":" "$tmp/predj.out")" -eq 20 ]'

printf 'abc\nf&<"\x27>e\n' > "$tmp/odd.txt"
run_in map "$tmp/odd.txt" translate predict --model "$tmp/a.st" --attention-map "$tmp/map.svg"
check "--attention-map: a valid SVG, labels escaped, one cell per source x output token" eval \
    '[ $rc -eq 0 ] && [ -s "$tmp/map.svg" ] && valid_xml "$tmp/map.svg" && grep -q "<svg " "$tmp/map.svg" &&
     grep -q "&amp;" "$tmp/map.svg" && grep -q "&lt;" "$tmp/map.svg" && grep -q "linearGradient" "$tmp/map.svg" &&
     [ ! -e "$tmp/map.svg.tmp" ] && has map.err "not in the model'"'"'s vocabulary"'
cells=$(grep -c "<rect x=.*<title>" "$tmp/map.svg")
want=$(awk 'NR == FNR { n[FNR] = length($0) + 1; next } { s += n[FNR] * length($1) } END { print s }' \
    "$tmp/map.out" "$tmp/odd.txt")
echo "attention map: $cells cells, expected $want"
check "--attention-map: (output tokens + <eos>) x source tokens cells" eval '[ "$cells" -eq "$want" ]'

run none translate train "${NET[@]}" --model "$tmp/none.st" --attention none --steps 5 --quiet
run_in nomap "$tmp/src.txt" translate predict --model "$tmp/none.st" --attention-map "$tmp/none.svg"
check "--attention-map of a model without attention: status 1" eval \
    '[ $rc -eq 1 ] && has nomap.err "has no attention" && [ ! -e "$tmp/none.svg" ]'

# ---- every attention kind, and space-separated tokens -------------------------------

for kind in luong-dot luong-general luong-concat rule1 scaled-dot multihead; do
    run "k_$kind" translate train "${NET[@]}" --model "$tmp/$kind.st" --attention "$kind" --heads 2 --steps 10 --quiet
    run_in "kp_$kind" "$tmp/src.txt" translate predict --model "$tmp/$kind.st" --attention-map "$tmp/$kind.svg"
    check "--attention $kind: trains, predicts and draws" eval \
        '[ $rc -eq 0 ] && [ "$(wc -l < "$tmp/kp_$kind.out")" -eq 20 ] && valid_xml "$tmp/$kind.svg"'
done
printf 'abcdefabc\n' > "$tmp/long.txt"
run_in long "$tmp/long.txt" translate predict --model "$tmp/rule1.st"
check "rule1: a source longer than its positions is refused with the line" eval \
    '[ $rc -eq 1 ] && has long.err "line 1: the source has 9 tokens, more than the 6 positions"'
run multi translate train "${NET[@]}" --model "$tmp/m.st" --attention multihead --heads 3 --steps 1 --quiet
check "multihead with heads not dividing 32: status 1 naming them" eval \
    '[ $rc -eq 1 ] && has multi.err "attention_heads = 3"'

run words translate train --data "$tmp/words.tsv" --model "$tmp/w.st" --src-tokens space --tgt-tokens space \
    --hidden 16 --embed 8 --batch 16 --steps 20 --valid-fraction 0.1 --quiet
printf 'a b c\nf  e\n' > "$tmp/wsrc.txt"
run_in wpred "$tmp/wsrc.txt" translate predict --model "$tmp/w.st"
check "space-separated tokens: predictions are tokens joined by single spaces" eval \
    '[ $rc -eq 0 ] && [ "$(wc -l < "$tmp/wpred.out")" -eq 2 ] && ! grep -q -v "^[a-f]\( [a-f]\)*$" "$tmp/wpred.out"'

# ---- resume ---------------------------------------------------------------------

resumes translate 35 "" "${NET[@]}" --steps 60 --teacher-forcing 0.5 --quiet
run mismatch translate train "${NET[@]}" --model "$tmp/B.st" --steps 60 --teacher-forcing 0.7 \
    --resume "$tmp/B.st.ckpt" --quiet
check "--resume with another --teacher-forcing: status 1 naming it" eval \
    '[ $rc -eq 1 ] && has mismatch.err "teacher-forcing"'
run wrongtask lm eval --model "$tmp/a.st" --data "$tmp/train.tsv"
check "a translate model is refused by lm: status 1" eval '[ $rc -eq 1 ] && has wrongtask.err "task '"'"'translate'"'"'"'

finish
