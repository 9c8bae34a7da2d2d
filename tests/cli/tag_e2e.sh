#!/usr/bin/env bash
# End-to-end test of `recur tag` on small generated data (word/TAG sentences
# whose tags follow from the words' endings, and CoNLL sentences with BIO
# entity tags): the command-line conventions, bad input files naming the
# line, training (the loss falls) with and without character features, the
# most-frequent-tag baseline, eval's JSON keys, predict's output, and
# --resume giving a bit-identical model. Prints "N passed, N failed".
#
#     tests/cli/tag_e2e.sh                         # runs build/rel/recur
#     RECUR=build/asan/recur tests/cli/tag_e2e.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/support/cli_lib.sh
start tag

# gen N SEED: N sentences "the/dt STEMs/nns STEMed/vbd STEMly/rb ./." and
# the like, with random stems: an unseen word's ending tells its tag.
gen() {
    awk -v n="$1" -v seed="$2" 'BEGIN {
        srand(seed)
        split("b c d f g k l m n p r s t v", c, " ")
        split("a e i o u", v, " ")
        split(" s ed ing ly", end, " ")
        split("nn nns vbd vbg rb", tag, " ")
        for (i = 0; i < n; i++) {
            line = rand() < 0.5 ? "the/dt" : "a/dt"
            k = 2 + int(rand() * 4)
            for (j = 0; j < k; j++) {
                stem = c[1 + int(rand() * 14)] v[1 + int(rand() * 5)] c[1 + int(rand() * 14)]
                e = 1 + int(rand() * 5)
                line = line " " stem end[e] "/" tag[e]
            }
            print line " ./."
        }
    }'
}
gen 200 1 > "$tmp/train.txt"
gen 40 2 > "$tmp/valid.txt"
gen 40 3 > "$tmp/test.txt"
NET=(--data "$tmp/train.txt" --valid "$tmp/valid.txt" --hidden 16 --embed 16 --char-embed 8 --char-hidden 8 --batch 16
    --lr 0.01 --dropout 0.1 --eval-every 20 --checkpoint-every 20 --quiet)

# ---- conventions --------------------------------------------------------------

run help tag train --help
check "tag train --help: status 0, options with defaults" eval \
    '[ $rc -eq 0 ] && has help.out "usage: recur tag train" && has help.out "--format auto|slash|conll" &&
     has help.out "(on by default; --no-char-features turns it off)" && has help.out "--char-hidden H" &&
     has help.out "hidden units per layer (default: 128)"'
run top help
check "recur help lists tag" eval '[ $rc -eq 0 ] && has top.out "tag "'
run bad tag train --data x --model y --bogus
check "unknown option: status 2" eval '[ $rc -eq 2 ] && has bad.err "unknown option '"'"'--bogus'"'"'"'
run fmt tag train --data x --model y --format tsv
check "unknown --format: status 2" eval '[ $rc -eq 2 ] && has fmt.err "is not one of auto, slash, conll"'
run both tag eval --model x --baseline y --data z
check "eval with --model and --baseline: status 2" eval '[ $rc -eq 2 ] && has both.err "give one of --model and --baseline"'
run none tag eval --data z
check "eval without --model or --baseline: status 2" eval '[ $rc -eq 2 ]'

# ---- bad input files ------------------------------------------------------------

printf 'the/dt cat/nn\nthe dog/nn\n' > "$tmp/noslash.txt"
printf 'the/dt cat/nn\n\nthe/dt dog/nn\n' > "$tmp/blank.txt"
printf 'EU NNP\nalone\n' > "$tmp/field.conll"
run noslash tag train --data "$tmp/noslash.txt" --model "$tmp/u.st" --format slash
check "a token without /TAG: status 1 naming file, line and token" eval \
    '[ $rc -eq 1 ] && has noslash.err "noslash.txt'"'"': line 2, token 1 \"the\""'
run blank tag train --data "$tmp/blank.txt" --model "$tmp/u.st"
check "an empty line in word/TAG lines: status 1 naming it" eval '[ $rc -eq 1 ] && has blank.err "line 2 is empty"'
run field tag train --data "$tmp/field.conll" --model "$tmp/u.st" --format conll
check "a CoNLL line with one field: status 1 naming it" eval '[ $rc -eq 1 ] && has field.err "line 2 has 1 field"'

# ---- train, eval, baseline, predict ---------------------------------------------------

run train tag train "${NET[@]}" --model "$tmp/a.st" --steps 120 --json
losses train
# 120 steps take the loss from about ln 6 = 1.8 (six tags) far down
check "training with char features: status 0, the loss falls" eval \
    '[ $rc -eq 0 ] && [ "$(grep -c "\"event\":\"eval\"" "$tmp/train.out")" -eq 6 ] && holds "b < a - 0.8" a="$first" b="$last"'
check "model file: char features' tensors and metadata" \
    header_has a.st '"char_rnn.weight_ih_l0_reverse"' '"char_embed.weight"' '"chars"'

run eval tag eval --model "$tmp/a.st" --data "$tmp/test.txt" --json
fields eval.out acc=accuracy unk=unknown_word_accuracy
# the test sentences' stems are mostly unseen: only the char features can
# tell their tags, from the endings
check "eval --json: accuracy; unknown words tagged by their spelling" eval \
    '[ $rc -eq 0 ] && holds "a >= 0.9 && a <= 1 && u >= 0.8" a="$acc" u="$unk" && ! has eval.out entity_f1'
run base tag eval --baseline "$tmp/train.txt" --data "$tmp/test.txt" --json
bacc=$(field base.out accuracy)
echo "baseline: accuracy $bacc"
check "the most-frequent-tag baseline: its accuracy is below the model's" eval \
    '[ $rc -eq 0 ] && [ -n "$bacc" ] && holds "b < a" a="$acc" b="$bacc"'

run word tag train "${NET[@]}" --model "$tmp/w.st" --steps 60 --no-char-features --json
check "--no-char-features: trains a word-level model without char tensors" eval \
    '[ $rc -eq 0 ] && ! header_has w.st char_rnn &&
     "$RECUR" tag eval --model "$tmp/w.st" --data "$tmp/test.txt" --json | grep -q "\"accuracy\":"'

sed 's#/[^ ]*##g' "$tmp/test.txt" > "$tmp/sentences.txt"
printf '\n' >> "$tmp/sentences.txt"
run_in pred "$tmp/sentences.txt" tag predict --model "$tmp/a.st"
check "predict: word/TAG for every input word, an empty line stays empty" eval \
    '[ $rc -eq 0 ] && [ "$(wc -l < "$tmp/pred.out")" -eq 41 ] && [ -z "$(tail -n 1 "$tmp/pred.out")" ] &&
     diff <(sed "s#/[^ ]*##g" "$tmp/pred.out") "$tmp/sentences.txt" > /dev/null &&
     ! grep -v "^$" "$tmp/pred.out" | tr " " "\n" | grep -v -E "/(dt|nn|nns|vbd|vbg|rb|\.)$" | grep -q .'
printf 'the bimoly  .\n' | "$RECUR" tag predict --model "$tmp/a.st" --json > "$tmp/pj.out" 2>&1
check "predict --json: tokens and tags" eval 'has pj.out "{\"tokens\":[\"the\",\"bimoly\",\".\"],\"tags\":[\"dt\","'

# CoNLL with BIO tags: eval reports entity scores
awk 'BEGIN {
    srand(4)
    split("John Mary Anna Peter", first, " "); split("Smith Jones Brown", last, " "); split("Paris Rome Oslo", city, " ")
    for (i = 0; i < 150; i++) {
        print first[1 + int(rand() * 4)] " NNP B-PER"
        if (rand() < 0.5) print last[1 + int(rand() * 3)] " NNP I-PER"
        print "visited VBD O"
        print city[1 + int(rand() * 3)] " NNP B-LOC"
        print ". . O"
        print ""
    }
}' > "$tmp/ner.conll"
head -n 150 "$tmp/ner.conll" > "$tmp/ner_test.conll"
run ner tag train --data "$tmp/ner.conll" --hidden 16 --embed 16 --char-embed 8 --char-hidden 8 --batch 16 --lr 0.01 \
    --model "$tmp/n.st" --steps 40 --eval-every 20 --quiet
run nereval tag eval --model "$tmp/n.st" --data "$tmp/ner_test.conll" --json
ef1=$(field nereval.out entity_f1)
echo "entity_f1 $ef1"
check "BIO tags (CoNLL detected): eval --json has entity_f1" eval \
    '[ $rc -eq 0 ] && [ -n "$ef1" ] && holds "f >= 0.9 && f <= 1" f="$ef1" && has nereval.out "\"entities\":"'

# ---- resume -------------------------------------------------------------------------------

resumes tag 17 " (another epoch's batches)" "${NET[@]}" --steps 40 --word-dropout 0.1
run mismatch tag train "${NET[@]}" --model "$tmp/B.st" --steps 40 --no-char-features --resume "$tmp/B.st.ckpt"
check "--resume without the char features: status 1 naming them" eval '[ $rc -eq 1 ] && has mismatch.err "char-features"'

finish
