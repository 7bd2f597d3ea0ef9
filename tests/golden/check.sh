#!/bin/bash
# Check every golden must-reject input (tests/golden/make-golden.py):
# `kdx info [ARGS] NAME`, run in tests/golden/inputs/, must exit with the
# expected code and print exactly the expected first line on stderr.
#
# Usage: tests/golden/check.sh KDX              compare with expected.txt
#        tests/golden/check.sh --update KDX     rewrite expected.txt
# expected.txt: one case a line, NAME<TAB>ARGS<TAB>EXIT<TAB>STDERR ("-":
# no arguments).  A message change shows as a diff of that file: review it.
set -uo pipefail

update=0
if [ "${1:-}" = --update ]; then
    update=1
    shift
fi
[ $# -eq 1 ] || { echo "usage: $0 [--update] KDX" >&2; exit 2; }
kdx=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
expected=$here/expected.txt
cd "$here/inputs" || exit 1

run() { # NAME ARGS -> "EXIT<TAB>first stderr line"
    local args=() err rc
    [ "$2" = - ] || read -r -a args <<<"$2"
    err=$("$kdx" info "${args[@]}" "$1" 2>&1 >/dev/null)
    rc=$?
    printf '%s\t%s' "$rc" "$(head -n1 <<<"$err")"
}

if [ $update = 1 ]; then
    tmp=$(mktemp)
    while IFS=$'\t' read -r name args _; do
        printf '%s\t%s\t%s\n' "$name" "$args" "$(run "$name" "$args")"
    done <"$expected" >"$tmp"
    # New inputs not listed yet: no arguments.
    for f in *; do
        grep -q "^$f	" "$tmp" || printf '%s\t-\t%s\n' "$f" "$(run "$f" -)" >>"$tmp"
    done
    sort "$tmp" >"$expected"
    rm -f "$tmp"
    exit 0
fi

fail=0 n=0
while IFS=$'\t' read -r name args want_rc want_err; do
    n=$((n + 1))
    if [ ! -f "$name" ]; then
        echo "FAIL $name: no such input (run tests/golden/make-golden.py)"
        fail=1
        continue
    fi
    got=$(run "$name" "$args")
    if [ "$got" != "$want_rc	$want_err" ]; then
        echo "FAIL $name"
        echo "  want: exit $want_rc: $want_err"
        echo "  got:  exit ${got%%	*}: ${got#*	}"
        fail=1
    elif [ "$want_rc" = 0 ]; then
        echo "FAIL $name: a golden input must be rejected"
        fail=1
    fi
done <"$expected"
for f in *; do
    grep -q "^$f	" "$expected" || { echo "FAIL $f: not in expected.txt"; fail=1; }
done
echo "golden: $n cases, $([ $fail = 0 ] && echo all as expected || echo FAILED)"
exit $fail
