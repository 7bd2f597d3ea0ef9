#!/bin/bash
# Check kdx's address translation against QEMU on the real dumps made by
# make-qemu-dumps.sh: `kdx maps` rooted at every CPU's CR3 against the
# virtual->physical pairs of QEMU's paging-mode ELF (page by page) and HMP
# `info tlb`, vtop of random addresses, virtual reads against pmem.raw,
# and the time to enumerate the kernel page table.
#
# Usage: check-xlat.sh DUMPDIR KDX_BINARY
# Prints "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -ne 2 ]; then
    echo "usage: $0 DUMPDIR KDX_BINARY" >&2
    exit 2
fi
dumpdir=$1 kdx=$2
for f in vmcore.elf vmcore-paging.elf pmem.raw; do
    [ -f "$dumpdir/$f" ] || { echo "FAIL: $dumpdir/$f missing"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$kdx" ] || { echo "FAIL: kdx binary $kdx not executable"; echo "0 passed, 1 failed"; exit 1; }
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
exec "$py" "$here/check_xlat.py" "$dumpdir" "$kdx"
