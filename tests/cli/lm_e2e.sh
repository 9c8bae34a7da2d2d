#!/usr/bin/env bash
# End-to-end test of `recur lm` on the first 400 lines of Moby-Dick: the
# command-line conventions (help, usage errors with status 2), training (the
# loss falls), eval's keys and their relations, sample's length and seeding,
# --resume giving a bit-identical model, SIGTERM, NaN detection (--on-nan
# stop and skip) and bad input files. Prints "N passed, N failed" like the
# test binaries.
#
#     tests/cli/lm_e2e.sh                         # runs build/rel/recur
#     RECUR=build/asan/recur tests/cli/lm_e2e.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/support/cli_lib.sh
SOURCE=data/moby_dick.txt
start lm "$SOURCE"

# code points in $tmp/NAME (UTF-8 continuation bytes do not count)
chars() { LC_ALL=C tr -d '\200-\277' < "$tmp/$1" | wc -c; }
head -n 400 "$SOURCE" > "$tmp/text.txt"
NET=(--data "$tmp/text.txt" --layers 2 --hidden 32 --embed 16 --seq-len 32 --batch 8 --lr 0.01 --dropout 0.1
    --eval-every 25 --checkpoint-every 40)

# ---- conventions ------------------------------------------------------------

run help lm train --help
check "lm train --help: status 0, every option with its default" eval \
    '[ $rc -eq 0 ] && [ ! -s "$tmp/help.err" ] && has help.out "usage: recur lm train" &&
     has help.out "--hidden H" && has help.out "hidden units per layer (default: 256)" &&
     has help.out "--cell lstm|gru|rnn|rnn-relu" && has help.out "--resume CKPT" && has help.out "--json"'
run help2 help lm train
check "recur help lm train prints the same help" cmp -s "$tmp/help.out" "$tmp/help2.out"
run top help
check "recur help lists the tasks" eval '[ $rc -eq 0 ] && has top.out "lm "'
run none
check "recur without a command: status 2" eval '[ $rc -eq 2 ] && has none.err "usage: recur"'

run bad lm train --data x --model y --bogus 3
check "unknown option: status 2, message on stderr only" eval \
    '[ $rc -eq 2 ] && has bad.err "unknown option '"'"'--bogus'"'"'" && has bad.err "Try '"'"'recur lm train --help'"'"'" &&
     [ ! -s "$tmp/bad.out" ]'
run range lm train --data x --model y --hidden 0
check "out-of-range value: status 2" eval '[ $rc -eq 2 ] && has range.err "--hidden: 0 is out of range"'
run choice lm train --data x --model y --cell tree
check "unknown choice: status 2" eval '[ $rc -eq 2 ] && has choice.err "'"'"'tree'"'"' is not one of lstm, gru, rnn, rnn-relu"'
run missing lm train --model y
check "missing --data: status 2" eval '[ $rc -eq 2 ] && has missing.err "missing option --data"'
run excl lm train --data x --model y --steps 5 --epochs 2
check "--steps with --epochs: status 2" eval '[ $rc -eq 2 ] && has excl.err "at most one of"'
run cmd lm fit
check "unknown subcommand: status 2" eval '[ $rc -eq 2 ] && has cmd.err "unknown command '"'"'fit'"'"'"'

# ---- bad input files ----------------------------------------------------------

printf 'fine\nbad \xc3\x28 here\n' > "$tmp/bad.txt"
: > "$tmp/empty.txt"
run utf8 lm train --data "$tmp/bad.txt" --model "$tmp/u.st"
check "invalid UTF-8: status 1 naming file, line and byte offset" eval \
    '[ $rc -eq 1 ] && has utf8.err "bad.txt" && has utf8.err "line 2, column 5 (byte offset 9)"'
printf 'fine\nnul \000 here\n' > "$tmp/nul.txt"
run nul lm train --data "$tmp/nul.txt" --model "$tmp/u.st"
check "NUL byte: status 1 naming file, line and column" eval '[ $rc -eq 1 ] && has nul.err "nul.txt'"'"': NUL byte at line 2, column 5"'
run empty lm train --data "$tmp/empty.txt" --model "$tmp/u.st"
check "empty file: status 1" eval '[ $rc -eq 1 ] && has empty.err "empty"'
run short lm train --data "$tmp/text.txt" --model "$tmp/u.st" --batch 4096 --seq-len 100
check "text too short for the batch: status 1" eval '[ $rc -eq 1 ] && has short.err "too few"'
run notmodel lm eval --model "$tmp/text.txt" --data "$tmp/text.txt"
check "eval of a file that is no model: status 1" eval '[ $rc -eq 1 ] && [ -s "$tmp/notmodel.err" ]'

# ---- train, eval, sample --------------------------------------------------------

run train lm train "${NET[@]}" --model "$tmp/a.st" --steps 150 --quiet --json
losses train
# 150 Adam steps at lr 0.01 take a 2x32 LSTM from near-uniform (ln 67 ≈ 4.2)
# to about 2.6 nats on this text; the means over steps 1-25 and 126-150 (and
# the validation losses at 25 and 150) differ by far more than 0.3
check "training: status 0, train and validation loss fall" eval \
    '[ $rc -eq 0 ] && [ ! -s "$tmp/train.err" ] && [ "$(grep -c "\"event\":\"eval\"" "$tmp/train.out")" -eq 6 ] &&
     holds "b < a - 0.3 && d < c - 0.3" a="$first" b="$last" c="$vfirst" d="$vlast"'
check "model file: PyTorch state_dict names and recur metadata" \
    header_has a.st '"embed.weight"' '"rnn.weight_hh_l1"' '"head.bias"' '"format":"recur"'

run eval lm eval --model "$tmp/a.st" --data "$tmp/text.txt" --json
fields eval.out loss=loss ppl=perplexity bpc=bits_per_char
# the three keys are printed with 17 significant digits: 1e-12 relative
check "eval --json: loss, perplexity = exp(loss), bits_per_char = loss / ln 2" eval \
    '[ $rc -eq 0 ] && [ -n "$loss" ] && holds "l > 0 && l < 4.2 && (p - exp(l))^2 < (1e-12 * p)^2 && (b - l / log(2))^2 < (1e-12 * b)^2" \
         l="$loss" p="$ppl" b="$bpc"'
printf 'Call me Ishmael \xe2\x98\x83.\n' > "$tmp/unk.txt"
run unk lm eval --model "$tmp/a.st" --data "$tmp/unk.txt" --json
check "eval reads an unseen character (a snowman) as <unk> and counts it" eval \
    '[ $rc -eq 0 ] && [ "$(field unk.out unknown_chars)" = 1 ] && [ "$(field unk.out chars)" = 19 ]'
run evaltext lm eval --model "$tmp/a.st" --data "$tmp/text.txt"
check "eval without --json prints key value pairs" eval '[ $rc -eq 0 ] && has evaltext.out "loss " && has evaltext.out "perplexity "'

run s1 lm sample --model "$tmp/a.st" --prime "Call me" --length 200 --seed 3
run s2 lm sample --model "$tmp/a.st" --prime "Call me" --length 200 --seed 3
run s3 lm sample --model "$tmp/a.st" --prime "Call me" --length 200 --seed 4
check "sample prints the prime and --length characters" eval \
    '[ $rc -eq 0 ] && [ "$(chars s1.out)" -eq $((7 + 200 + 1)) ] && [ "$(head -c 7 "$tmp/s1.out")" = "Call me" ]'
check "sample: the same seed gives the same text, another seed another" eval \
    'cmp -s "$tmp/s1.out" "$tmp/s2.out" && ! cmp -s "$tmp/s1.out" "$tmp/s3.out"'
run g1 lm sample --model "$tmp/a.st" --length 50 --temperature 0 --seed 1 --json
run g2 lm sample --model "$tmp/a.st" --length 50 --temperature 0 --seed 2 --json
check "sample --temperature 0 is greedy (seed-independent); --json has text" eval \
    '[ $rc -eq 0 ] && cmp -s "$tmp/g1.out" "$tmp/g2.out" && has g1.out "\"text\":"'

# ---- resume ---------------------------------------------------------------------

resumes lm 35 "" "${NET[@]}" --steps 60 --quiet
check "resumed run prints the same records after the stop" eval \
    'diff <(records A.out) <(records B1.out; records B2.out) > /dev/null'
run mismatch lm train "${NET[@]}" --model "$tmp/B.st" --steps 60 --hidden 24 --resume "$tmp/B.st.ckpt" --quiet
check "--resume with another --hidden: status 1 naming it" eval '[ $rc -eq 1 ] && has mismatch.err "hidden"'

# ---- SIGTERM --------------------------------------------------------------------

"$RECUR" lm train "${NET[@]}" --model "$tmp/S.st" --steps 100000000 --eval-every 0 --checkpoint-every 0 \
    > "$tmp/S.out" 2> "$tmp/S.err" &
pid=$!
# the data summary is logged just before the loop installs its handlers
for _ in $(seq 100); do has S.err "steps per epoch" && break; sleep 0.1; done
sleep 0.5
kill -TERM "$pid"
wait "$pid"
rc=$?
check "SIGTERM: status 143 after a checkpoint" eval '[ $rc -eq 143 ] && [ -s "$tmp/S.st.ckpt" ] && has S.err "--resume"'
run S2 lm train "${NET[@]}" --model "$tmp/S.st" --steps 1 --eval-every 0 --checkpoint-every 0 \
    --resume "$tmp/S.st.ckpt" --quiet --json
check "the interrupted run resumes" eval '[ $rc -eq 0 ] && has S2.out "\"event\":\"done\""'

# ---- NaN ------------------------------------------------------------------------

# SGD at lr 100 without clipping diverges at step 3 with this seed: the
# parameters after step 2 overflow the forward pass. A divergence at step 1
# would leave no checkpoint to check, so that fails the test.
NAN=(--data "$tmp/text.txt" --model "$tmp/N.st" --cell rnn-relu --layers 1 --hidden 32 --embed 16 --seq-len 32
    --batch 8 --optimizer sgd --lr 100 --clip 0 --eval-every 0 --checkpoint-every 1 --quiet --json)
run nan lm train "${NAN[@]}" --steps 200
bad_step=$(sed -n 's/.*step \([0-9]*\): the .* is .*/\1/p' "$tmp/nan.err")
echo "diverged at step ${bad_step:-?}"
check "NaN or Inf: status 1 naming the step, no model saved" eval \
    '[ $rc -eq 1 ] && [ -n "$bad_step" ] && has nan.err "nothing saved" && [ ! -e "$tmp/N.st" ]'
check "the divergence comes after step 1 (so that a checkpoint precedes it)" eval \
    '[ -n "$bad_step" ] && [ "$bad_step" -gt 1 ]'
before=$((${bad_step:-1} - 1))
# the checkpoint's metadata is a JSON string inside the JSON header
check "the last checkpoint is of step $before, the step before the NaN" \
    header_has N.st.ckpt "\"checkpoint\":\"{\\\"step\\\":$before,"
run nanref lm train "${NAN[@]}" --model "$tmp/NR.st" --steps 200 --stop-after "$before"
check "it is intact: byte-identical to that of a run stopped at step $before" eval \
    '[ $rc -eq 0 ] && cmp "$tmp/NR.st.ckpt" "$tmp/N.st.ckpt"'
# the parameters it holds overflow the next batch's forward pass whatever
# the learning rate, so the resumed run meets the same NaN at the same step
run nanresume lm train "${NAN[@]}" --steps 200 --resume "$tmp/N.st.ckpt" --no-quiet
check "it loads: the run resumed from it takes up step $before and meets the same NaN" eval \
    '[ $rc -eq 1 ] && has nanresume.err "resuming '"'"'$tmp/N.st.ckpt'"'"' at step $before" &&
     diff <(tail -n 1 "$tmp/nan.err") <(tail -n 1 "$tmp/nanresume.err") > /dev/null'
run nanopt lm train "${NAN[@]}" --steps 200 --on-nan ignore
check "--on-nan takes stop or skip" eval '[ $rc -eq 2 ] && has nanopt.err "'"'"'ignore'"'"' is not one of stop, skip"'

# --on-nan skip on the diverging run: every later batch is NaN too (the
# parameters are), so it skips 9 and stops at the 10th in a row
run nanskip lm train "${NAN[@]}" --model "$tmp/NS.st" --steps 200 --on-nan skip
skipped=$(sed -n 's/.*step \([0-9]*\): .*; batch skipped.*/\1/p' "$tmp/nanskip.err" | tr '\n' ' ')
check "--on-nan skip: steps $bad_step to $((before + 9)) skipped, stopped at the 10th in a row" eval \
    '[ $rc -eq 1 ] && [ "$skipped" = "$(seq -s " " "$bad_step" $((before + 9))) " ] &&
     has nanskip.err "step $((before + 10)): the loss is" && has nanskip.err "the 10th step in a row; stopped before the update, nothing saved" &&
     [ ! -e "$tmp/NS.st" ]'

# A checkpoint whose embedding row of 'D' is NaN: exactly the batches with a
# 'D' among their inputs are not finite. Training text without validation
# and in ASCII, so that characters are bytes: id of 'D' = 1 (<unk>) + the
# distinct bytes below it; the batch of step k (from 1) is chunk (k-1) mod C
# of the B streams of S = ⌊n/B⌋ characters, C = ⌊(S-1)/T⌋ (see lm_train.c).
LC_ALL=C tr -d '\200-\377' < "$tmp/text.txt" > "$tmp/ascii.txt"
POISON=(--data "$tmp/ascii.txt" --model "$tmp/P.st" --layers 1 --hidden 32 --embed 16 --seq-len 32 --batch 8
    --lr 0.01 --valid-fraction 0 --eval-every 0 --checkpoint-every 0 --quiet --json)
run p0 lm train "${POISON[@]}" --steps 1
hlen=$(header_len P.st.ckpt)
entry=$(header P.st.ckpt | grep -a -o '"embed.weight":{[^}]*}')
begin=$(sed -n 's/.*"data_offsets":\[\([0-9]*\),.*/\1/p' <<< "$entry")
id=$((1 + $(LC_ALL=C od -An -v -tu1 "$tmp/ascii.txt" | tr -s ' ' '\n' | sed '/^$/d' | sort -un | awk '$1 < 68' | wc -l)))
for _ in $(seq 16); do printf '\000\000\300\177'; done |
    dd of="$tmp/P.st.ckpt" bs=1 seek=$((8 + hlen + begin + id * 16 * 4)) conv=notrunc status=none
cp "$tmp/P.st.ckpt" "$tmp/poisoned.ckpt"
n=$(wc -c < "$tmp/ascii.txt")
S=$((n / 8))
expected=$(LC_ALL=C grep -o -b -F D "$tmp/ascii.txt" | cut -d: -f1 |
    awk -v S="$S" -v C=$(((S - 1) / 32)) -v T=32 -v B=8 -v last=120 '
        $1 < B * S && $1 % S < C * T { chunk[int(($1 % S) / T)] = 1 }
        END { for (k = 2; k <= last; k++) if ((k - 1) % C in chunk) printf "%d ", k }')
nexp=$(wc -w <<< "$expected")
echo "embedding row $id of 'D' made NaN; batches with a 'D' among steps 2-120: $expected"
run pstop lm train "${POISON[@]}" --steps 120 --resume "$tmp/P.st.ckpt"
check "--on-nan stop: stops at the first batch with a 'D', naming the parameter" eval \
    '[ $rc -eq 1 ] && [ "$nexp" -ge 3 ] &&
     has pstop.err "step ${expected%% *}: the loss is NaN (parameter '"'"'embed.weight'"'"' is not finite); stopped"'
# the mean loss of the updates (NaN if a skipped batch counted) falls from
# ln 64 ≈ 4.2 (uniform over the vocabulary) to about 2.8 in 120 Adam steps
cp "$tmp/poisoned.ckpt" "$tmp/P.st.ckpt"
run pskip lm train "${POISON[@]}" --steps 120 --resume "$tmp/P.st.ckpt" --on-nan skip
skipped=$(sed -n 's/.*step \([0-9]*\): the loss is NaN (parameter .embed.weight. is not finite); batch skipped.*/\1/p' \
    "$tmp/pskip.err" | tr '\n' ' ')
check "--on-nan skip: skips exactly the batches with a 'D', trains on the others" eval \
    '[ $rc -eq 0 ] && [ "$skipped" = "$expected" ] && [ "$(field pskip.out skipped_batches | tail -n 1)" -eq "$nexp" ] &&
     [ "$(grep -c "" "$tmp/pskip.err")" -eq "$nexp" ] && holds "l < 3.3" l="$(field pskip.out train_loss | head -n 1)"'
# the optimizer's step count leaves out the skipped steps, and a resumed run
# restores it and the count of skipped steps in a row
cp "$tmp/poisoned.ckpt" "$tmp/P2.st.ckpt"
run pskip1 lm train "${POISON[@]}" --model "$tmp/P2.st" --steps 120 --resume "$tmp/P2.st.ckpt" --on-nan skip --stop-after 60
run pskip2 lm train "${POISON[@]}" --model "$tmp/P2.st" --steps 120 --resume "$tmp/P2.st.ckpt" --on-nan skip
check "--on-nan skip, stopped after a skipped step and resumed: the same model" eval \
    '[ $rc -eq 0 ] && cmp "$tmp/P.st" "$tmp/P2.st"'

finish
