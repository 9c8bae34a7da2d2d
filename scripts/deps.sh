#!/usr/bin/env bash
# Installs, with apt-get, the Debian packages recur needs that are missing:
# a C compiler and make, OpenBLAS, oneDNN and jansson, and for the test command
# valgrind and clang with its libFuzzer, sanitizer and OpenMP runtimes. With --fetch it also makes sure
# npm is available for scripts/fetch_data.sh. Prints nothing when everything
# is already there; runs apt-get update only when something must be installed.
set -euo pipefail

want=(build-essential libopenblas-dev libdnnl-dev libjansson-dev valgrind clang libclang-rt-14-dev libomp-dev)
fetch=0
for arg in "$@"; do
    case "$arg" in
        --fetch) fetch=1 ;;
        *) echo "usage: $0 [--fetch]" >&2; exit 2 ;;
    esac
done

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing=()
for p in "${want[@]}"; do
    installed "$p" || missing+=("$p")
done
if [ "$fetch" -eq 1 ]; then
    installed ca-certificates || missing+=(ca-certificates)
    # npm may come with a nodejs that is not Debian's, so look for the command.
    command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "deps.sh: need root or sudo to install: ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi
echo "deps.sh: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
