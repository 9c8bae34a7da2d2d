#!/usr/bin/env bash
# Feeds the recur program one example of every class of bad input (model
# files, data files, checkpoints, options) and prints a markdown table:
# class, command, exit status and the first line of stderr. Every case must
# be refused with a message: the script exits 1 if any exits 0, crashes
# (status 128 or more), hangs (60 s) or says nothing on stderr.
# docs/bad_inputs.md is its output. Needs no network; builds its inputs in a
# temporary directory from data/moby_dick.txt and small models it trains.
#
#     scripts/bad_inputs.sh                       # runs build/rel/recur (made if missing)
#     RECUR=build/asan/recur scripts/bad_inputs.sh
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
if [ -z "${RECUR:-}" ]; then
    RECUR=build/rel/recur
    [ -x "$RECUR" ] || make -j2 "$RECUR" > /dev/null
fi
if [ ! -x "$RECUR" ] || [ ! -f data/moby_dick.txt ]; then
    echo "bad_inputs.sh: missing $RECUR (run make) or data/moby_dick.txt" >&2
    exit 1
fi
RECUR=$(realpath "$RECUR")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/recur_bad_XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# ---- safetensors helpers ------------------------------------------------------

# le64 N: N as 8 little-endian bytes
le64() {
    local i out=
    for i in 0 1 2 3 4 5 6 7; do out+=$(printf '\\%03o' $((($1 >> (8 * i)) & 255))); done
    printf "$out"
}

# st FILE HEADER DATA_BYTES: a safetensors file of HEADER and DATA_BYTES zeros
st() { { le64 ${#2}; printf '%s' "$2"; head -c "$3" /dev/zero; } > "$1"; }

header_len() { od -An -t u8 -N8 "$1" | tr -d ' '; }
header() { tail -c +9 "$1" | head -c "$(header_len "$1")"; }
data() { tail -c +$((9 + $(header_len "$1"))) "$1"; }

# edit IN OUT SED [DATA_BYTES]: OUT is IN with its header edited by the sed
# expression (length recomputed) and its data (or their first DATA_BYTES)
edit() {
    local h
    h=$(header "$1" | sed -E "$3")
    { le64 ${#h}; printf '%s' "$h"; if [ -n "${4:-}" ]; then data "$1" | head -c "$4"; else data "$1"; fi; } > "$2"
}

# ---- the cases -------------------------------------------------------------------

failures=0

# case CLASS ARGS...: runs recur with ARGS (stdin from /dev/null) and prints a
# row; paths in the temporary directory are shown relative to it.
case_() {
    local class=$1
    shift
    timeout 60 "$RECUR" "$@" < /dev/null > out.txt 2> err.txt
    local rc=$? first verdict=
    first=$(head -n 1 err.txt | cut -c 1-300)
    if [ "$rc" -eq 0 ]; then
        verdict=" **(accepted)**"
    elif [ "$rc" -eq 124 ]; then
        verdict=" **(hung)**"
    elif [ "$rc" -ge 128 ]; then
        verdict=" **(crashed)**"
    elif [ -z "$first" ]; then
        verdict=" **(no message)**"
    fi
    [ -n "$verdict" ] && failures=$((failures + 1))
    local cmd="recur $*"
    cmd=${cmd//$tmp\//}
    first=${first//$tmp\//}
    # a table cell holds no raw '|' or backtick quoting
    cmd=${cmd//|/\\|}
    first=${first//|/\\|}
    first=${first//\`/\'}
    echo "| $class | \`$cmd\` | $rc$verdict | $first |"
}

head -n 400 "$OLDPWD/data/moby_dick.txt" > text.txt
for i in $(seq 40); do printf 'pos\tgood film number %d\nneg\tdull film number %d\n' "$i" "$i"; done > ok.tsv
SMALL=(--layers 1 --hidden 16 --embed 8 --steps 2 --eval-every 0 --quiet)
"$RECUR" lm train --data text.txt --model lm.st --seq-len 16 --batch 4 "${SMALL[@]}" > /dev/null &&
    "$RECUR" classify train --data ok.tsv --model cls.st --batch 4 "${SMALL[@]}" > /dev/null || {
    echo "bad_inputs.sh: training the small models failed" >&2
    exit 1
}
size=$(stat -c %s lm.st)
bias_begin=$(header lm.st | sed -n 's/.*"head\.bias":{[^}]*"data_offsets":\[\([0-9]*\),.*/\1/p')
EVAL=(lm eval --data text.txt --model)

head -c $((size / 2)) lm.st > truncated.st
{ le64 $((size + 1000)); tail -c +9 lm.st; } > past_eof.st
{ le64 $((1 << 63)); tail -c +9 lm.st; } > huge_len.st
F32='"dtype":"F32"'
st overlap.st "{\"a\":{$F32,\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{$F32,\"shape\":[2],\"data_offsets\":[4,12]}}" 12
st out_of_range.st "{\"a\":{$F32,\"shape\":[4],\"data_offsets\":[0,16]}}" 8
st dtype.st '{"a":{"dtype":"F17","shape":[2],"data_offsets":[0,8]}}' 8
st mismatch.st "{\"a\":{$F32,\"shape\":[3],\"data_offsets\":[0,8]}}" 8
st 100gb.st "{\"a\":{$F32,\"shape\":[100000,250000],\"data_offsets\":[0,100000000000]}}" 16
st duplicate.st "{\"a\":{$F32,\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{$F32,\"shape\":[2],\"data_offsets\":[8,16]}}" 16
st not_json.st 'a safetensors header that is no JSON' 0
edit lm.st no_config.st 's/"config":"(\\.|[^"\\])*",//'
edit lm.st config_range.st 's/\\"hidden\\":16/\\"hidden\\":0/'
edit lm.st wrong_shape.st 's/("head\.weight":\{"dtype":"F32","shape":\[)([0-9]+),([0-9]+)\]/\1\3,\2]/'
edit lm.st renamed.st 's/"head\.bias"/"head.bias_"/'
edit lm.st missing.st 's/,"head\.bias":\{[^}]*\}//' "$bias_begin"

echo "| class | command | exit status | first line of stderr |"
echo "|---|---|---|---|"
case_ "model: truncated file" "${EVAL[@]}" truncated.st
case_ "model: header length past the end of the file" "${EVAL[@]}" past_eof.st
case_ "model: header length 2^63" "${EVAL[@]}" huge_len.st
case_ "model: overlapping data offsets" "${EVAL[@]}" overlap.st
case_ "model: data offsets out of range" "${EVAL[@]}" out_of_range.st
case_ "model: unknown dtype" "${EVAL[@]}" dtype.st
case_ "model: shape and byte count disagree" "${EVAL[@]}" mismatch.st
case_ "model: a 100 GB tensor claimed" "${EVAL[@]}" 100gb.st
case_ "model: duplicate tensor names" "${EVAL[@]}" duplicate.st
case_ "model: header not JSON" "${EVAL[@]}" not_json.st
case_ "model: no \"config\" metadata" "${EVAL[@]}" no_config.st
case_ "model: config value out of range (hidden 0)" "${EVAL[@]}" config_range.st
case_ "model: parameter of the wrong shape" "${EVAL[@]}" wrong_shape.st
case_ "model: parameter missing (another name instead)" "${EVAL[@]}" renamed.st
case_ "model: parameter missing (fewer values than the config needs)" "${EVAL[@]}" missing.st
case_ "model: a model of another task" "${EVAL[@]}" cls.st
case_ "model: no such file" "${EVAL[@]}" nothing.st

: > empty.txt
printf 'fine\nbad \xc3\x28 byte\n' > utf8.txt
printf 'fine\nnul \000 byte\n' > nul.txt
{ printf 'pos\t'; head -c $((10 << 20)) /dev/zero | tr '\0' 'a'; } > long_line.tsv
printf 'abc\txyz\rdef\tuvw\rghi\trst\r' > cr.tsv
TRAIN=(--model m.st --steps 2 --quiet)
case_ "text: empty file" lm train --data empty.txt "${TRAIN[@]}"
case_ "text: invalid UTF-8" lm train --data utf8.txt "${TRAIN[@]}"
case_ "text: NUL byte" lm train --data nul.txt "${TRAIN[@]}"
case_ "text: a 10 MB line" classify train --data long_line.tsv "${TRAIN[@]}"
case_ "text: CR line endings (read as one line)" translate train --data cr.tsv "${TRAIN[@]}"

printf 'pos\tgood\nneg bad\n' > no_tab.tsv
printf 'pos\tgood\n \tbad\n' > empty_label.tsv
printf 'pos\tgood\nneg\t \n' > empty_text.tsv
case_ "TSV: a line without a tab" classify train --data no_tab.tsv "${TRAIN[@]}"
case_ "TSV: empty label" classify train --data empty_label.tsv "${TRAIN[@]}"
case_ "TSV: empty text" classify train --data empty_text.tsv "${TRAIN[@]}"

printf 'the/DT cat/NN sat/VBD\nthe/DT dog barked/VBD\n' > no_slash.txt
printf 'the/DT cat/NN sat/VBD\nthe/DT dog/ barked/VBD\n' > empty_tag.txt
printf 'the DT\ncat NN\n\nthe\ndog NN\n' > one_column.txt
case_ "tagged: a token without a slash" tag train --data no_slash.txt --format slash "${TRAIN[@]}"
case_ "tagged: empty tag" tag train --data empty_tag.txt --format slash "${TRAIN[@]}"
case_ "tagged: CoNLL line with one column" tag train --data one_column.txt --format conll "${TRAIN[@]}"

case_ "checkpoint of another configuration" lm train --data text.txt --model lm.st --seq-len 16 --batch 4 \
    --layers 1 --hidden 8 --embed 8 --steps 4 --eval-every 0 --quiet --resume lm.st.ckpt
case_ "checkpoint: a model file, not a checkpoint" lm train --data text.txt --model lm2.st --seq-len 16 --batch 4 \
    "${SMALL[@]}" --resume lm.st

case_ "option: unknown" lm train --data text.txt --model m.st --bogus 3
case_ "option: value out of range" lm train --data text.txt --model m.st --hidden 0
case_ "option: not a number" lm train --data text.txt --model m.st --lr fast
case_ "option: missing --data" lm train --model m.st
case_ "option: --threads 0" lm train --data text.txt --model m.st --threads 0
case_ "model path not writable" lm train --data text.txt --model no/such/dir/m.st --seq-len 16 --batch 4 "${SMALL[@]}"

if [ "$failures" -gt 0 ]; then
    echo "bad_inputs.sh: $failures case(s) accepted, crashed, hung or gave no message" >&2
    exit 1
fi
