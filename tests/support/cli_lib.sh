# Helpers of the end-to-end tests under tests/cli (sourced, not run): each
# test counts its checks and ends with "N passed, N failed" like the test
# binaries. A test starts from the repository root:
#
#     set -u
#     cd "$(dirname "$0")/../.." || exit 1
#     . tests/support/cli_lib.sh
#     start lm data/moby_dick.txt      # $tmp, and every file the test needs
#
# RECUR is the program under test (default build/rel/recur).

RECUR=${RECUR:-build/rel/recur}
passed=0
failed=0

# check NAME COMMAND...: counts the command's success or failure.
check() {
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
    fi
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

# start NAME [FILE...]: makes the scratch directory $tmp (recur_NAME_*,
# removed on exit); a missing RECUR or FILE ends the test as one failure.
start() {
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/recur_$1_XXXXXX") || exit 1
    trap 'rm -rf "$tmp"' EXIT
    shift
    local file
    for file in "$RECUR" "$@"; do
        if [ ! -f "$file" ] || { [ "$file" = "$RECUR" ] && [ ! -x "$file" ]; }; then
            echo "missing $file"
            failed=1
            finish
        fi
    done
}

# run NAME ARGS...: runs recur with stdout in $tmp/NAME.out, stderr in
# $tmp/NAME.err and the exit status in $rc.
run() {
    local name=$1
    shift
    "$RECUR" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
    rc=$?
}

# run_in NAME INPUT ARGS...: the same with standard input from file INPUT.
run_in() {
    local name=$1 input=$2
    shift 2
    "$RECUR" "$@" < "$input" > "$tmp/$name.out" 2> "$tmp/$name.err"
    rc=$?
}

# has NAME TEXT: file $tmp/NAME contains TEXT.
has() { grep -q -F -- "$2" "$tmp/$1"; }

# values KEY: the values of "KEY" in the JSON lines of standard input.
values() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }

# field FILE KEY: the values of "KEY" in the JSON lines of $tmp/FILE.
field() { values "$2" < "$tmp/$1"; }

# fields NAME VAR=KEY...: sets each VAR to the values of "KEY" in $tmp/NAME,
# and logs them on one line.
fields() {
    local name=$1 pair var log=$1:
    shift
    for pair in "$@"; do
        var=${pair%%=*}
        printf -v "$var" '%s' "$(field "$name" "${pair#*=}")"
        log+=" ${pair#*=} ${!var}"
    done
    echo "$log"
}

# holds EXPRESSION VAR=VALUE...: an awk condition over numbers.
holds() {
    local expr=$1
    shift
    local args=()
    for kv in "$@"; do args+=(-v "$kv"); done
    awk "${args[@]}" "BEGIN { exit !($expr) }"
}

# header_len NAME, header NAME: the length and the text of the JSON header
# of the safetensors file $tmp/NAME (a model or checkpoint).
header_len() { od -An -t u8 -N8 "$tmp/$1" | tr -d ' '; }
header() {
    local n
    n=$(header_len "$1") && [ -n "$n" ] && head -c $((8 + n)) "$tmp/$1" | tail -c +9
}

# header_has NAME TEXT...: the header of $tmp/NAME contains every TEXT.
header_has() {
    local text h
    h=$(header "$1")
    shift
    for text in "$@"; do grep -q -F -- "$text" <<< "$h" || return 1; done
}

# losses NAME: the first and last "train_loss" and "valid_loss" of the
# training records in $tmp/NAME.out, in $first, $last, $vfirst and $vlast.
losses() {
    first=$(field "$1.out" train_loss | head -n 1)
    last=$(field "$1.out" train_loss | tail -n 1)
    vfirst=$(field "$1.out" valid_loss | head -n 1)
    vlast=$(field "$1.out" valid_loss | tail -n 1)
    echo "train_loss $first -> $last, valid_loss $vfirst -> $vlast"
}

# records NAME: the records of $tmp/NAME without the keys that differ from
# run to run (the time, and the model's path).
records() { sed 's/"elapsed":[^,}]*//; s/"model":[^,}]*//' "$tmp/$1"; }

# resumes TASK STOP WHAT ARGS...: `recur TASK train ARGS` three times: into
# $tmp/A.st uninterrupted, into $tmp/B.st stopped after step STOP and resumed
# from its checkpoint (records in B1.out, then B2.out), and into $tmp/C.st
# with --seed 2. Checks that B is byte-identical to A, and that C is not, so
# that the first comparison can fail. WHAT describes the run for the check.
resumes() {
    local task=$1 stop=$2 what=$3
    shift 3
    run A "$task" train "$@" --model "$tmp/A.st" --json
    run B1 "$task" train "$@" --model "$tmp/B.st" --stop-after "$stop" --json
    local rc_b1=$rc
    run B2 "$task" train "$@" --model "$tmp/B.st" --resume "$tmp/B.st.ckpt" --json
    check "stopped at $stop and resumed$what: the model is byte-identical to an uninterrupted run's" eval \
        '[ $rc_b1 -eq 0 ] && [ $rc -eq 0 ] && cmp "$tmp/A.st" "$tmp/B.st"'
    run C "$task" train "$@" --model "$tmp/C.st" --seed 2
    check "another seed gives another model (the comparison above can fail)" eval \
        '[ $rc -eq 0 ] && ! cmp -s "$tmp/A.st" "$tmp/C.st"'
}
