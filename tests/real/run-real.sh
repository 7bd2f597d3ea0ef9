#!/bin/bash
# Run one real-dump check from CTest: run-real.sh SCRIPT KDX [SUBDIR [ARG...]]
# (SUBDIR: the check reads $KDX_REAL_DUMPS/SUBDIR instead; ARGs go to the
# script after DUMPDIR KDX).
# The dumps come from $KDX_REAL_DUMPS (made by make-qemu-dumps.sh; the
# test script scripts/test.sh makes them).  Without them the check fails
# under CI=true, and outside CI skips loudly (exit 77, which CTest shows
# as skipped).
set -u
script=$1 kdx=$2 sub=${3:-}
shift $(( $# < 3 ? $# : 3 ))
if [ -z "${KDX_REAL_DUMPS:-}" ] || [ ! -f "$KDX_REAL_DUMPS/manifest.env" ]; then
    if [ "${CI:-}" = true ]; then
        echo "FAIL: KDX_REAL_DUMPS is not set to a directory made by tests/real/make-qemu-dumps.sh; CI must run the real-dump checks"
        echo "0 passed, 1 failed"
        exit 1
    fi
    echo "################################################################"
    echo "## SKIPPED: $(basename "$script") needs real dumps."
    echo "## Make them with tests/real/make-qemu-dumps.sh DIR and set"
    echo "## KDX_REAL_DUMPS=DIR (scripts/test.sh does both)."
    echo "################################################################"
    exit 77
fi
dir=$KDX_REAL_DUMPS${sub:+/$sub}
if [ ! -d "$dir" ]; then
    echo "FAIL: $dir is missing (made by scripts/test.sh's dumps phase)"
    echo "0 passed, 1 failed"
    exit 1
fi
exec bash "$script" "$dir" "$kdx" "$@"
