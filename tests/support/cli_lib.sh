# Helpers of the end-to-end tests under tests/cli (sourced, not run): each
# test counts its checks and ends with "N passed, N failed" like the test
# binaries. The sourcing script sets RECUR and tmp (a scratch directory)
# first.

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

# run NAME ARGS...: runs recur with stdout in $tmp/NAME.out, stderr in
# $tmp/NAME.err and the exit status in $rc.
run() {
    local name=$1
    shift
    "$RECUR" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
    rc=$?
}

# has NAME TEXT: file $tmp/NAME contains TEXT.
has() { grep -q -F -- "$2" "$tmp/$1"; }

# field FILE KEY: the values of "KEY" in the JSON lines of $tmp/FILE.
field() { sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" "$tmp/$1"; }

# holds EXPRESSION VAR=VALUE...: an awk condition over numbers.
holds() {
    local expr=$1
    shift
    local args=()
    for kv in "$@"; do args+=(-v "$kv"); done
    awk "${args[@]}" "BEGIN { exit !($expr) }"
}
