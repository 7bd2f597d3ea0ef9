#!/bin/bash
# The foundation's and the translation checks on one of the other x86
# guests scripts/test.sh makes (Debian's i386 686-pae and 686 kernels, a
# 5-level-paging CPU, nokaslr): check-real-dumps.sh then check-xlat.sh.
#
# Usage: check-x86-variant.sh DUMPDIR KDX_BINARY
# Prints both checks' lines and one "N passed, N failed" total.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -eq 2 ] || { echo "usage: $0 DUMPDIR KDX_BINARY" >&2; exit 2; }
passed=0 failed=0
for check in check-real-dumps.sh check-xlat.sh; do
    echo "== $check $1"
    out=$(bash "$here/$check" "$1" "$2" 2>&1)
    echo "$out"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -n1)
    if [ -z "$line" ]; then
        echo "FAIL: $check printed no summary"
        failed=$((failed + 1))
        continue
    fi
    read -r p _ f _ <<<"$line"
    passed=$((passed + p)) failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
