#!/bin/bash
# Real-dump oracle for the kdump-compressed reader: QEMU's kdump-zlib and
# makedumpfile's outputs (-c/-l[/-p/-z], -d 0/31, with and without -F,
# --split) read by kdx must equal QEMU's paging-off ELF on every page; see
# check_kdump.py for the details.
#
# Usage: check-kdump.sh DUMPDIR KDX_BINARY
#   DUMPDIR as written by make-qemu-dumps.sh (vmcore.elf, vmcore.kdump-zlib)
#
# Prints PASS/FAIL/SKIP lines and "N passed, N failed"; exits non-zero on
# any failure.  Under CI=true a missing tool (python3, makedumpfile) is a
# failure; otherwise it is a loud skip.  KDX_CHECK_TMP: scratch directory
# (needs about 2 GiB); KDX_CHECK_KEEP=1 keeps it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -ne 2 ]; then
    echo "usage: $0 DUMPDIR KDX_BINARY" >&2
    exit 2
fi
dumpdir=$1 kdx=$2
[ -x "$kdx" ] || { echo "FAIL: kdx binary $kdx not found or not executable"; echo "0 passed, 1 failed"; exit 1; }
py=$(command -v python3 || true)
if [ -z "$py" ]; then
    if [ "${CI:-}" = true ]; then
        echo "FAIL: python3 is missing"; echo "0 passed, 1 failed"; exit 1
    fi
    echo "SKIP: python3 is missing: nothing checked"; echo "0 passed, 0 failed"; exit 0
fi
exec "$py" "$here/check_kdump.py" "$dumpdir" "$kdx"
